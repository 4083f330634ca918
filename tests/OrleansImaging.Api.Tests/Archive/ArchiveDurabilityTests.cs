using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using OrleansImaging.Api.Tests.Peers;
using OrleansImaging.Contracts.Callers;
using OrleansImaging.Dicom;

namespace OrleansImaging.Api.Tests.Archive;

/// <summary>
/// Archive compression is scheduled durably: the api (`./imaging start`'s process) is SIGKILLed right after STOW-RS
/// acknowledged 40 uncompressed images of a JPEG-LS tenant, with compression work still queued; after a restart on the
/// same data directory every image ends up JPEG-LS, and every one decodes (dcmtk) to the pixels that were sent.
/// </summary>
public sealed class ArchiveDurabilityTests : IAsyncLifetime
{
    private const string Tenant = "archive-kill";
    private readonly string _data = Directory.CreateTempSubdirectory("imaging-archive-kill-").FullName;
    private ApiProcess _api = null!;

    public async Task InitializeAsync() => _api = await ApiProcess.StartAsync(_data);

    public async Task DisposeAsync()
    {
        await _api.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_data, recursive: true);
    }

    [Fact]
    public async Task Sigkill_WithCompressionQueued_AfterRestartEveryImageIsCompressedAndDecodesToWhatWasSent()
    {
        var token = await _api.CreateTenantAndTokenAsync(Tenant, Scopes.DicomwebRead, Scopes.DicomwebWrite);
        using (var admin = _api.CreateClient((await File.ReadAllTextAsync(Path.Combine(_data, OrleansImaging.Api.Hosting.AdminKey.FileName))).Trim()))
        {
            using var set = await admin.PostAsJsonAsync($"admin/tenants/{Tenant}/archive", new { compression = "jpeg-ls" });
            Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        }
        var series = SyntheticCt.Series(40, size: 512);
        using (var client = _api.CreateClient(token))
        {
            foreach (var batch in series.Chunk(10))
            {
                using var stored = await client.PostAsync("dicomweb/studies", MultipartRelated.Content(batch.Select(i => i.Bytes)));
                Assert.Equal(HttpStatusCode.OK, stored.StatusCode);
            }
        }

        Assert.Equal(137, await _api.KillAsync());
        var queuedAtKill = QueuedWork();
        Assert.True(queuedAtKill > 0, "The kill came after every image was compressed: the test proved nothing.");

        await _api.DisposeAsync();
        _api = await ApiProcess.StartAsync(_data);
        using var again = _api.CreateClient(token);
        var study = series[0].StudyInstanceUid;
        var clock = Stopwatch.StartNew();
        while (true)
        {
            using var status = JsonDocument.Parse(await again.GetStringAsync($"studies/{study}/archive"));
            var root = status.RootElement;
            Assert.Equal(0, root.GetProperty("failed").GetArrayLength());
            if (root.GetProperty("compressed").GetInt32() == series.Count && root.GetProperty("pending").GetInt32() == 0)
                break;
            Assert.True(clock.Elapsed < TimeSpan.FromMinutes(3), $"Still not compressed after a restart: {root}");
            await Task.Delay(250);
        }
        Assert.Equal(0, QueuedWork());
        foreach (var instance in series)
        {
            using var response = await again.GetAsync($"dicomweb/studies/{study}/series/{instance.SeriesInstanceUid}/instances/{instance.SopInstanceUid}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var stored = Assert.Single(MultipartRelated.Parse(response.Content.Headers.ContentType!.ToString(), await response.Content.ReadAsByteArrayAsync())).Body;
            Assert.Equal("1.2.840.10008.1.2.4.80", DicomFile.Parse(stored).TransferSyntax.Uid);
            Assert.Equal(Dcmtk.PixelData(instance.Bytes), Dcmtk.PixelData(Dcmtk.DecodeJpegLs(stored)));
        }
    }

    private long QueuedWork()
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(_data, "catalogue.db")};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM ArchiveWork WHERE TenantId = $tenant";
        command.Parameters.AddWithValue("$tenant", Tenant);
        return (long)command.ExecuteScalar()!;
    }
}
