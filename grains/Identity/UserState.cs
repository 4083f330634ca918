using OrleansImaging.Contracts.Callers;

namespace OrleansImaging.Grains.Identity;

/// <summary>An account's persisted state; null <see cref="PasswordHash"/> means it does not exist.</summary>
[GenerateSerializer, Immutable, Alias("OrleansImaging.UserState")]
public sealed record UserState
{
    /// <summary>The account's role.</summary>
    [Id(0)] public CallerRole Role { get; init; }

    /// <summary>PBKDF2-HMAC-SHA256 of the password; null until created.</summary>
    [Id(1)] public byte[]? PasswordHash { get; init; }

    /// <summary>The account's own salt.</summary>
    [Id(2)] public byte[] Salt { get; init; } = [];

    /// <summary>The iteration count <see cref="PasswordHash"/> was made with.</summary>
    [Id(3)] public int Iterations { get; init; }

    /// <summary>When it was created.</summary>
    [Id(4)] public DateTimeOffset CreatedAt { get; init; }

    /// <summary>Who created it, for the audit trail.</summary>
    [Id(5)] public string? CreatedBy { get; init; }
}
