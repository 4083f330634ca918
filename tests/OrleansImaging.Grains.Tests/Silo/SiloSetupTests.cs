using Microsoft.Data.Sqlite;
using OrleansImaging.Grains.Storage;
using OrleansImaging.Grains.Studies;
using OrleansImaging.Silo;

namespace OrleansImaging.Grains.Tests.Silo;

public sealed class SiloSetupTests
{
    [Theory]
    [InlineData("", "svc", 11111, 30000)]
    [InlineData("d", "", 11111, 30000)]
    [InlineData("d", "svc", 0, 30000)]
    [InlineData("d", "svc", 11111, 11111)]
    [InlineData("d", "svc", 11111, -1)]
    public void Validate_BadSetting_Throws(string dataDirectory, string serviceId, int siloPort, int gatewayPort) =>
        Assert.Throws<ArgumentException>(() => new ImagingSiloOptions
        {
            DataDirectory = dataDirectory, ServiceId = serviceId, SiloPort = siloPort, GatewayPort = gatewayPort,
        }.Validate());

    [Fact]
    public void Validate_Defaults_Pass() => new ImagingSiloOptions { DataDirectory = "data" }.Validate();

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void PrivateDirectory_NewAndExistingOpenOnes_EndOwnerOnly_S1_1()
    {
        var parent = Directory.CreateTempSubdirectory("oi-private-").FullName;
        try
        {
            var created = PrivateDirectory.Ensure(Path.Combine(parent, "new", "data"));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(created));

            var open = Path.Combine(parent, "open");
            Directory.CreateDirectory(open);
            File.SetUnixFileMode(open, (UnixFileMode)0b111_101_101); // 0755, as a umask of 022 leaves it
            PrivateDirectory.Ensure(open);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(open));
        }
        finally
        {
            Directory.Delete(parent, recursive: true);
        }
    }

    [Fact]
    public void Defaults_OpenNoClientGateway_S2_5() => Assert.Equal(0, new ImagingSiloOptions().GatewayPort);

    [Fact]
    public void Apply_Twice_WalAndQueriesOnce()
    {
        var directory = Directory.CreateTempSubdirectory("oi-schema-").FullName;
        try
        {
            var source = new SqliteDataSource(Path.Combine(directory, "grains.db"), SqliteSynchronous.Full, TimeSpan.FromSeconds(5));
            GrainStateSchema.Apply(source);
            GrainStateSchema.Apply(source);

            using var connection = source.Open();
            Assert.Equal("wal", Scalar(connection, "PRAGMA journal_mode;"));
            Assert.Equal((long)GrainStateSchema.Version, Scalar(connection, "PRAGMA user_version;"));
            Assert.Equal(2L /* FULL */, Scalar(connection, "PRAGMA synchronous;"));
            Assert.Equal("ClearStorageKey,ReadFromStorageKey,WriteToStorageKey",
                Scalar(connection, "SELECT group_concat(QueryKey, ',') FROM (SELECT QueryKey FROM OrleansQuery ORDER BY QueryKey);"));
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }

    private static object? Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }
}
