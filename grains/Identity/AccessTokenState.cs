namespace OrleansImaging.Grains.Identity;

/// <summary>A token's persisted state; null <see cref="SecretSha256"/> means it was never issued.</summary>
[GenerateSerializer, Immutable, Alias("OrleansImaging.AccessTokenState")]
public sealed record AccessTokenState
{
    /// <summary>The tenant it acts in.</summary>
    [Id(0)] public string TenantId { get; init; } = "";

    /// <summary>Its scopes.</summary>
    [Id(1)] public IReadOnlyList<string> Scopes { get; init; } = [];

    /// <summary>SHA-256 of the secret; null until issued.</summary>
    [Id(2)] public byte[]? SecretSha256 { get; init; }

    /// <summary>The id of the caller who issued it.</summary>
    [Id(3)] public string CreatedBy { get; init; } = "";

    /// <summary>When it was issued.</summary>
    [Id(4)] public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When it was revoked; null while it is valid.</summary>
    [Id(5)] public DateTimeOffset? RevokedAt { get; init; }

    /// <summary>When it expires; null for tokens issued before tokens expired, which do not.</summary>
    [Id(6)] public DateTimeOffset? ExpiresAt { get; init; }
}
