namespace OrleansImaging.Api.Hosting;

/// <summary>
/// Whether the co-hosted silo is serving grain calls: set when its lifecycle reaches Active, cleared when it
/// stops; <c>/healthz</c> answers from it.
/// </summary>
public sealed class SiloReadiness : ILifecycleParticipant<ISiloLifecycle>
{
    private volatile bool _ready;

    /// <summary>True between the silo's Active stage and its shutdown.</summary>
    public bool IsReady => _ready;

    /// <inheritdoc/>
    public void Participate(ISiloLifecycle lifecycle)
    {
        ArgumentNullException.ThrowIfNull(lifecycle);
        lifecycle.Subscribe(nameof(SiloReadiness), ServiceLifecycleStage.Active,
            _ => { _ready = true; return Task.CompletedTask; },
            _ => { _ready = false; return Task.CompletedTask; });
    }
}
