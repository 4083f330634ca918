using OrleansImaging.Contracts.Uploads;

namespace OrleansImaging.Grains.Uploads;

/// <summary>
/// An upload's persisted state: a few hundred bytes plus one small entry per committed chunk (bounded by
/// <see cref="UploadGrain.MaxChunks"/>), written once per chunk.
/// </summary>
[GenerateSerializer, Alias("OrleansImaging.UploadState")]
public sealed class UploadState
{
    /// <summary>The user or token that created it; empty until created.</summary>
    [Id(0)] public string CreatedBy { get; set; } = "";

    /// <summary>What was declared at creation.</summary>
    [Id(1)] public NewUpload? Declared { get; set; }

    /// <summary>Committed chunks in offset order; they tile [0, offset).</summary>
    [Id(2)] public List<UploadChunk> Chunks { get; set; } = [];

    /// <summary>The chunk being written, if any.</summary>
    [Id(3)] public UploadChunkLease? Lease { get; set; }

    /// <summary>When it was created.</summary>
    [Id(4)] public DateTimeOffset CreatedAt { get; set; }

    /// <summary>When it is given up unless more arrives.</summary>
    [Id(5)] public DateTimeOffset ExpiresAt { get; set; }

    /// <summary>What ingesting it gave, once done.</summary>
    [Id(6)] public UploadOutcome? Outcome { get; set; }

    /// <summary>Bytes committed.</summary>
    public long Offset => Chunks.Count == 0 ? 0 : Chunks[^1].Offset + Chunks[^1].Length;
}
