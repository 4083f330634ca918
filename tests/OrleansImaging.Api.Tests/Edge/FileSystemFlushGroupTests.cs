using OrleansImaging.Edge.Spool;

namespace OrleansImaging.Api.Tests.Edge;

/// <summary>
/// The spool's group commit: a C-STORE is answered only after a flush that began after its file was renamed, and
/// associations storing at the same moment share that flush instead of queueing one each.
/// </summary>
public sealed class FileSystemFlushGroupTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task FlushAsync_AskedWhileAFlushRuns_WaitsForTheNextFlushNotTheRunningOne()
    {
        using var first = new ManualResetEventSlim();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var flushes = 0;
        using var group = new FileSystemFlushGroup(() =>
        {
            if (Interlocked.Increment(ref flushes) == 1)
            {
                started.SetResult();
                first.Wait(Wait); // flush 1 is "on the disk" until released
            }
            return null;
        });

        var leader = Task.Run(async () => await group.FlushAsync());
        await started.Task.WaitAsync(Wait);
        var late = Task.Run(async () => await group.FlushAsync()); // its rename came after flush 1 began
        await Task.Delay(100);
        Assert.False(late.IsCompleted);
        first.Set();

        await Task.WhenAll(leader, late).WaitAsync(Wait);
        Assert.Equal(2, Volatile.Read(ref flushes)); // the late caller got a flush of its own
    }

    [Fact]
    public async Task FlushAsync_TwentyCallersDuringOneFlush_ShareOneFurtherFlush()
    {
        using var release = new ManualResetEventSlim();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var flushes = 0;
        using var group = new FileSystemFlushGroup(() =>
        {
            if (Interlocked.Increment(ref flushes) == 1)
            {
                started.SetResult();
                release.Wait(Wait);
            }
            return null;
        });

        var leader = Task.Run(async () => await group.FlushAsync());
        await started.Task.WaitAsync(Wait);
        var waiting = Enumerable.Range(0, 20).Select(_ => Task.Run(async () => await group.FlushAsync())).ToList();
        await Task.Delay(200); // all twenty are asking by now
        Assert.DoesNotContain(waiting, t => t.IsCompleted);
        release.Set();

        await Task.WhenAll(waiting.Append(leader)).WaitAsync(Wait);
        Assert.Equal(2, Volatile.Read(ref flushes)); // 21 durable stores, 2 flushes
    }

    [Fact]
    public async Task FlushAsync_FlushFails_LeaderAndWaitersGetTheError_NextCallFlushesAgain()
    {
        using var release = new ManualResetEventSlim();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var flushes = 0;
        using var group = new FileSystemFlushGroup(() =>
        {
            switch (Interlocked.Increment(ref flushes))
            {
                case 1:
                    return null;
                case 2:
                    started.SetResult();
                    release.Wait(Wait);
                    return "syncfs of the spool failed (errno 5).";
                default:
                    return null;
            }
        });
        await group.FlushAsync(); // flush 1

        var leader = Task.Run(async () => await group.FlushAsync()); // flush 2, which fails
        await started.Task.WaitAsync(Wait);
        var waiter = Task.Run(async () => await group.FlushAsync()); // needs flush 3
        release.Set();

        var error = await Assert.ThrowsAsync<IOException>(() => leader.WaitAsync(Wait));
        Assert.Contains("errno 5", error.Message, StringComparison.Ordinal);
        await waiter.WaitAsync(Wait); // flush 3 succeeded for it
        Assert.Equal(3, Volatile.Read(ref flushes));
        await group.FlushAsync();
        Assert.Equal(4, Volatile.Read(ref flushes));
    }

    [Fact]
    public async Task FlushAsync_OnThisMachine_SyncfsOfARealSpoolFolderSucceeds()
    {
        var folder = Directory.CreateTempSubdirectory("flush-group-").FullName;
        try
        {
            using var group = new FileSystemFlushGroup(folder);
            await File.WriteAllBytesAsync(Path.Combine(folder, "a.dcm"), new byte[4096]);

            await group.FlushAsync().AsTask().WaitAsync(Wait);

            Assert.Equal(4096, new FileInfo(Path.Combine(folder, "a.dcm")).Length);
            Assert.Throws<IOException>(() => new FileSystemFlushGroup(Path.Combine(folder, "missing")));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
