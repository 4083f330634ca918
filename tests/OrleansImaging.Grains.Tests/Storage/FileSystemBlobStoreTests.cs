using System.Diagnostics;
using OrleansImaging.Grains.Storage;

namespace OrleansImaging.Grains.Tests.Storage;

[Collection(FileSystemBlobStoreCollection.Name)]
public sealed class FileSystemBlobStoreTests(FileSystemBlobStoreFixture fixture) : BlobStoreContractTests
{
    protected override IBlobStore Store => fixture.Store;

    protected override Task AssertNoLeftoversAsync(string tenant)
    {
        var folder = Path.Combine(fixture.Root, tenant);
        if (Directory.Exists(folder))
            Assert.Empty(Directory.EnumerateFiles(folder, ".*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }));
        return Task.CompletedTask;
    }

    [Fact]
    public async Task PutAsync_Key_IsTheFileAtThatPathUnderTheRoot()
    {
        var data = TestData.Bytes(1000, seed: 31);

        await Store.PutAsync(Key("1.2.840.5"), new MemoryStream(data));

        Assert.Equal(data, await File.ReadAllBytesAsync(Path.Combine(fixture.Root, Tenant, "1.2.3", "1.2.840.5")));
    }

    [Fact]
    public async Task PutAsync_ThenFreshStoreOnTheSameFolder_ReadsTheSameObject()
    {
        var data = TestData.Bytes(FiveMegabytes, seed: 32);
        var key = Key("reopened");
        var written = await Store.PutAsync(key, new MemoryStream(data));

        var fresh = new FileSystemBlobStore(new FileSystemBlobStoreOptions { RootPath = fixture.Root });

        Assert.Equal(new BlobInfo(data.Length, written.Sha256), await fresh.GetInfoAsync(key));
        await AssertNoLeftoversAsync(Tenant);
    }

    [Fact]
    public async Task OpenReadAsync_ObjectReplacedWhileReading_ReaderKeepsTheWholeOldObject()
    {
        var key = Key("replaced-under-reader");
        var first = TestData.Bytes(400_000, seed: 33);
        var second = TestData.Bytes(400_000, seed: 34);
        await Store.PutAsync(key, new MemoryStream(first));

        await using var reader = await Store.OpenReadAsync(key);
        var head = new byte[1000];
        await reader!.ReadExactlyAsync(head);
        await Store.PutAsync(key, new MemoryStream(second));
        var rest = await TestData.ReadAllAsync(reader);

        Assert.Equal(first, head.Concat(rest).ToArray());
    }

    [Fact]
    public void Constructor_InvalidOptions_Throws()
    {
        Assert.Throws<ArgumentException>(() => new FileSystemBlobStore(new FileSystemBlobStoreOptions()));
    }

    [Fact]
    public async Task PutAsync_ManyConcurrentPutsIntoOneFolder_EachReturnsItsCompleteObjectAndNoTempFileIsLeft()
    {
        // Concurrent puts share directory fsyncs (group commit); each must still come back with its own object
        // committed under its own name, whatever order the durability threads finish them in.
        var bodies = Enumerable.Range(0, 64).Select(i => TestData.Bytes(1_000 + i * 7_919, seed: i)).ToArray();
        var keys = bodies.Select((_, i) => Key($"concurrent-{i}")).ToArray();

        var results = await Task.WhenAll(bodies.Select((body, i) => Task.Run(() => fixture.Store.PutAsync(keys[i], new MemoryStream(body)))));

        var fresh = new FileSystemBlobStore(new FileSystemBlobStoreOptions { RootPath = fixture.Root });
        for (var i = 0; i < bodies.Length; i++)
        {
            Assert.Equal(new BlobWriteResult(bodies[i].Length, TestData.Sha256(bodies[i]), Created: true), results[i]);
            Assert.Equal(new BlobInfo(bodies[i].Length, TestData.Sha256(bodies[i])), await fresh.GetInfoAsync(keys[i]));
        }
        await AssertNoLeftoversAsync(Tenant);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(4_095)]
    [InlineData(4_096)]
    [InlineData(526_536)]
    [InlineData(1_048_576)]
    [InlineData(1_048_577)]
    [InlineData(2_101_248)]
    public async Task PutAsync_LengthsAroundTheDirectWriteAlignmentAndBuffer_ObjectIsExactlyTheBytesPut(int length)
    {
        // Durable puts write with O_DIRECT: whole 1 MiB buffers, then the rest padded to 4 KiB and cut back.
        var body = TestData.Bytes(length, seed: length);
        var key = Key($"length-{length}");

        var written = await fixture.Store.PutAsync(key, new MemoryStream(body));

        Assert.Equal(new BlobWriteResult(length, TestData.Sha256(body), Created: true), written);
        Assert.Equal(length, new FileInfo(Path.Combine(fixture.Root, key)).Length);
        await using var read = await fixture.Store.OpenReadAsync(key);
        Assert.Equal(body, await TestData.ReadAllAsync(read!));
    }

    // Durability across a kill: the put runs in a child process (this assembly's Main, see Program.cs) that is
    // SIGKILLed as soon as it reports; a fresh store in this process then looks at what is on disk.

    [Fact]
    public async Task PutAsync_ProcessKilledRightAfterItReturns_ObjectIsComplete()
    {
        var key = Key("killed-after-put");

        var (child, line) = await StartChildAsync("put", fixture.Root, key, "3000000");
        child.Kill();
        await child.WaitForExitAsync();

        var expected = TestData.Bytes(3_000_000, seed: ChildProcess.Seed);
        Assert.Equal($"put-returned {TestData.Sha256(expected)}", line);
        var fresh = new FileSystemBlobStore(new FileSystemBlobStoreOptions { RootPath = fixture.Root });
        Assert.Equal(new BlobInfo(expected.Length, TestData.Sha256(expected)), await fresh.GetInfoAsync(key));
        await AssertNoLeftoversAsync(Tenant);
    }

    [Fact]
    public async Task PutAsync_ProcessKilledMidBody_NoObjectAndTheSweepRemovesItsTempFile()
    {
        var key = Key("killed-mid-put");

        var (child, line) = await StartChildAsync("stall", fixture.Root, key, "1500000");
        child.Kill();
        await child.WaitForExitAsync();

        Assert.Equal("stalled", line);
        var fresh = new FileSystemBlobStore(new FileSystemBlobStoreOptions { RootPath = Path.Combine(fixture.Root, Tenant) });
        Assert.False(await fresh.ExistsAsync("1.2.3/killed-mid-put"));
        Assert.Empty(await fresh.ListAsync().ToListAsync());
        Assert.Equal(1, fresh.RemoveAbandonedTempFiles(TimeSpan.Zero));
        await AssertNoLeftoversAsync(Tenant);
    }

    [Fact]
    public async Task PutAsync_UnderStrace_FsyncsFileBeforeRenameAndDirectoryAfter()
    {
        var key = Key("traced");
        var log = Path.Combine(fixture.Root, $"strace-{Guid.NewGuid():N}.log");
        var strace = FindOnPath("strace") ?? throw new InvalidOperationException("strace is not installed: apt-get install strace (./imaging test does this).");

        var (child, line) = await StartChildAsync(strace, ["-f", "-y", "-e", "trace=fsync,fdatasync,rename,renameat,renameat2,link,linkat", "-o", log,
            Environment.ProcessPath ?? "dotnet", typeof(ChildProcess).Assembly.Location, "put", fixture.Root, key, "100000"]);
        child.Kill(entireProcessTree: true);
        await child.WaitForExitAsync();

        Assert.StartsWith("put-returned ", line);
        var directory = Path.Combine(fixture.Root, Tenant, "1.2.3");
        var target = Path.Combine(directory, "traced");
        // strace -f prefixes each line with the PID, padded to a width that varies with the PID's digits.
        var calls = File.ReadLines(log).Select(l => l[(l.IndexOf(' ') + 1)..].TrimStart()).ToList();
        var fileFsync = calls.FindIndex(c => c.StartsWith("fsync(", StringComparison.Ordinal) && c.Contains($"<{directory}/.traced.", StringComparison.Ordinal) && c.EndsWith("= 0", StringComparison.Ordinal));
        var rename = calls.FindIndex(c => c.StartsWith("rename", StringComparison.Ordinal) && c.Contains($"\"{target}\"", StringComparison.Ordinal) && c.EndsWith("= 0", StringComparison.Ordinal));
        var directoryFsync = calls.FindLastIndex(c => c.StartsWith("fsync(", StringComparison.Ordinal) && c.Contains($"<{directory}>)", StringComparison.Ordinal) && c.EndsWith("= 0", StringComparison.Ordinal));
        Assert.True(fileFsync >= 0 && rename > fileFsync && directoryFsync > rename,
            $"expected fsync(temp file) < rename(temp → target) < fsync(directory); got {fileFsync}, {rename}, {directoryFsync} in:\n{string.Join('\n', calls)}");
        File.Delete(log);
    }

    private static Task<(Process Child, string Line)> StartChildAsync(params string[] arguments) =>
        StartChildAsync(Environment.ProcessPath ?? "dotnet", [typeof(ChildProcess).Assembly.Location, .. arguments]);

    private static async Task<(Process Child, string Line)> StartChildAsync(string executable, string[] arguments)
    {
        var start = new ProcessStartInfo(executable) { RedirectStandardOutput = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        var child = Process.Start(start)!;
        // The child reports one line when it reached the point to be killed at, then waits on stdin forever.
        var line = await child.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return (child, line ?? $"(child exited with {(child.HasExited ? child.ExitCode : -1)} without reporting)");
    }

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);
}
