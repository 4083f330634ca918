using System.Diagnostics;
using System.Security.Cryptography;
using OrleansImaging.Api.Tests.Peers;
using OrleansImaging.Contracts.Callers;
using OrleansImaging.Edge.Spool;

namespace OrleansImaging.Api.Tests.Edge;

/// <summary>
/// Issue 6, item 6: the edge SIGKILLed in the middle of an association, with storescu still sending. Every instance
/// storescu was told succeeded must reach the cloud exactly once, byte-identical; the instance being received when
/// the kill came was never acknowledged, and its partial file must not reach the cloud as a broken object.
/// </summary>
public sealed class EdgeKillWhileReceivingTests(EdgeApiFixture fixture) : IClassFixture<EdgeApiFixture>, IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("imaging-edge-kill-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Fact]
    public async Task EdgeSigkilledMidAssociation_EveryAcknowledgedInstanceReachesTheCloudOnce_NothingBroken()
    {
        var token = await fixture.Api.CreateTenantAndTokenAsync("edge-kill-rx", Scopes.DicomwebRead, Scopes.DicomwebWrite);
        // 0.5 MB slices, so that storescu is still sending when the kill comes.
        var instances = SyntheticCt.Series(150, size: 512);
        var paths = await EdgeTestTools.WriteFilesAsync(_work, instances);
        var files = paths.Zip(instances).ToDictionary(p => p.First, p => p.Second, StringComparer.Ordinal);
        var spool = Path.Combine(_work, "spool");
        var queue = Path.Combine(spool, "queue");

        // Started while the cloud is unreachable: everything received stays in the spool until the kill.
        var target = fixture.Forwarder.Target;
        fixture.Forwarder.Target = 0;
        string output;
        try
        {
            var edge = await EdgeProcess.StartAsync(fixture, token, spool, limitMbps: null);
            var storescu = StartStorescu(edge.Port, files.Keys);
            var stdout = storescu.StandardOutput.ReadToEndAsync();
            var stderr = storescu.StandardError.ReadToEndAsync();
            try
            {
                await EdgeTestTools.WaitUntilAsync(
                    () => Task.FromResult(Directory.Exists(queue) && EdgeSpool.Queued(queue).Count() >= 10),
                    TimeSpan.FromSeconds(60), () => edge.Log);
            }
            finally
            {
                await edge.KillAsync();
            }
            await storescu.WaitForExitAsync();
            output = await stdout + await stderr;
            storescu.Dispose();
        }
        finally
        {
            fixture.Forwarder.Target = target;
        }

        var acknowledged = Acknowledged(output);
        Assert.True(acknowledged.Count >= 10, output);
        Assert.True(acknowledged.Count < files.Count, "the kill came after storescu had finished, so nothing was cut:\n" + output);

        var restarted = await EdgeProcess.StartAsync(fixture, token, spool, limitMbps: null);
        try
        {
            await EdgeTestTools.WaitUntilAsync(
                () => Task.FromResult(EdgeStatus.Read(spool, TimeProvider.System) is { Queued: 0 } status && status.Done >= acknowledged.Count),
                TimeSpan.FromSeconds(120), () => $"{EdgeStatus.Read(spool, TimeProvider.System)}\n{restarted.Log}");
        }
        finally
        {
            await restarted.KillAsync();
        }

        using var http = fixture.Api.CreateClient(token);
        var inCloud = await EdgeTestTools.CountInstancesAsync(http);
        // Acknowledged ones all arrive; at most the one being received when the kill came may have been complete on disk too.
        Assert.InRange(inCloud, acknowledged.Count, acknowledged.Count + 1);
        foreach (var path in acknowledged)
        {
            var sent = files[path].Bytes;
            var stored = await EdgeTestTools.RetrieveAsync(http, sent);
            Assert.Equal(SHA256.HashData(await EdgeTestTools.DataSetBytesAsync(sent)), SHA256.HashData(await EdgeTestTools.DataSetBytesAsync(stored)));
        }
        Assert.Empty(Directory.EnumerateFiles(queue, "*.part", SearchOption.AllDirectories)); // the cut receive's partial file was removed
        var failed = Path.Combine(spool, "failed");
        Assert.False(Directory.Exists(failed) && Directory.EnumerateFileSystemEntries(failed).Any(), "an instance was refused by the cloud");
    }

    private static Process StartStorescu(string port, IEnumerable<string> files)
    {
        var start = new ProcessStartInfo("storescu") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "-v", "-aet", "MODALITY", "-aec", "EDGE", "127.0.0.1", port })
            start.ArgumentList.Add(argument);
        foreach (var file in files)
            start.ArgumentList.Add(file);
        return Process.Start(start)!;
    }

    /// <summary>The files storescu heard success for: "Sending file: X" … "Received Store Response (Success)".</summary>
    private static List<string> Acknowledged(string output)
    {
        var acknowledged = new List<string>();
        string? current = null;
        foreach (var line in output.Split('\n'))
        {
            if (line.StartsWith("I: Sending file: ", StringComparison.Ordinal))
                current = line["I: Sending file: ".Length..].Trim();
            else if (line.StartsWith("I: Received Store Response (Success)", StringComparison.Ordinal) && current is not null)
            {
                acknowledged.Add(current);
                current = null;
            }
        }
        return acknowledged;
    }
}
