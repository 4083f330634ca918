using Microsoft.Extensions.Time.Testing;
using OrleansImaging.Edge.Spool;

namespace OrleansImaging.Api.Tests.Edge;

/// <summary>The uploaders' shared backoff while the cloud cannot be reached: one probe at a time, one failure per burst.</summary>
public sealed class CloudGateTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task EnterAsync_CloudReachable_NoProbeNoWait()
    {
        var gate = new CloudGate(new FakeTimeProvider(), TimeSpan.FromSeconds(60));

        Assert.Null(await gate.EnterAsync(CancellationToken.None).WaitAsync(Wait));
        Assert.False(gate.IsDown);
    }

    [Fact]
    public void Unreachable_ThreeUploadersFailTogether_OneFailureCounted_NextBurstBacksOffLonger()
    {
        var clock = new FakeTimeProvider();
        var gate = new CloudGate(clock, TimeSpan.FromSeconds(60));

        var waits = Enumerable.Range(0, 3).Select(_ => gate.Unreachable(TimeSpan.Zero)).ToList();
        clock.Advance(waits[0]);
        var next = gate.Unreachable(TimeSpan.Zero);

        // Backoff(1) is 0.5 s plus up to 25% jitter; three at once stay there instead of growing to Backoff(3).
        Assert.All(waits, w => Assert.Equal(waits[0], w));
        Assert.InRange(waits[0], TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(0.625));
        Assert.InRange(next, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1.25));
        Assert.Equal(TimeSpan.FromSeconds(30), gate.Unreachable(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task EnterAsync_CloudDown_OneProbeAfterTheWait_OthersGoWhenItAnswers()
    {
        var clock = new FakeTimeProvider();
        var gate = new CloudGate(clock, TimeSpan.FromSeconds(60));
        gate.Unreachable(TimeSpan.Zero);

        var first = gate.EnterAsync(CancellationToken.None);
        var second = gate.EnterAsync(CancellationToken.None);
        Assert.False(first.IsCompleted); // the shared wait first
        clock.Advance(TimeSpan.FromSeconds(1));
        var probe = await first.WaitAsync(Wait);
        Assert.NotNull(probe);
        Assert.False(second.IsCompleted); // one probe at a time

        gate.Answered();
        probe.Dispose();

        Assert.Null(await second.WaitAsync(Wait)); // the cloud is back: no probe, no wait
        Assert.False(gate.IsDown);
    }

    [Fact]
    public async Task EnterAsync_ProbeFailsAgain_NextUploaderProbesAfterTheLongerWait()
    {
        var clock = new FakeTimeProvider();
        var gate = new CloudGate(clock, TimeSpan.FromSeconds(60));
        gate.Unreachable(TimeSpan.Zero);
        var second = gate.EnterAsync(CancellationToken.None);
        clock.Advance(TimeSpan.FromSeconds(1));
        var probe = await second.WaitAsync(Wait);
        var third = gate.EnterAsync(CancellationToken.None);

        var wait = gate.Unreachable(TimeSpan.Zero);
        probe!.Dispose();
        clock.Advance(wait - TimeSpan.FromMilliseconds(10));
        Assert.False(third.IsCompleted);
        clock.Advance(TimeSpan.FromMilliseconds(10));

        Assert.NotNull(await third.WaitAsync(Wait));
        Assert.True(gate.IsDown);
    }
}
