namespace OrleansImaging.Grains.Index;

/// <summary>The QIDO-RS query levels (PS3.18 10.6): what one result stands for.</summary>
public enum QueryLevel
{
    /// <summary>One result per study (<c>/studies</c>).</summary>
    Study,

    /// <summary>One result per series (<c>/series</c>, <c>/studies/{study}/series</c>).</summary>
    Series,

    /// <summary>One result per instance (<c>/instances</c>, <c>/studies/{study}/instances</c>, <c>/studies/{study}/series/{series}/instances</c>).</summary>
    Instance,
}
