namespace OrleansImaging.Grains.Studies;

/// <summary>
/// A study's persisted grain state: counts and timestamps only, a constant size whatever the study's size. The
/// per-instance catalogue (and the series list, derived from it on activation) lives in <see cref="IStudyCatalogue"/>,
/// because Orleans rewrites the whole state on every write.
/// </summary>
[GenerateSerializer, Immutable, Alias("OrleansImaging.StudyState")]
public sealed record StudyState
{
    /// <summary>How many instances the catalogue holds (a check against the catalogue on activation).</summary>
    [Id(0)] public int InstanceCount { get; init; }

    /// <summary>How many series.</summary>
    [Id(1)] public int SeriesCount { get; init; }

    /// <summary>The sum of the instances' sizes.</summary>
    [Id(2)] public long TotalBytes { get; init; }

    /// <summary>When the first instance was recorded.</summary>
    [Id(3)] public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When the last instance was recorded.</summary>
    [Id(4)] public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>How many batches added instances (each is one catalogue transaction and one state write).</summary>
    [Id(5)] public long BatchCount { get; init; }
}
