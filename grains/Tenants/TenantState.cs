namespace OrleansImaging.Grains.Tenants;

/// <summary>A tenant's persisted state; null <see cref="DisplayName"/> means it does not exist.</summary>
[GenerateSerializer, Immutable, Alias("OrleansImaging.TenantState")]
public sealed record TenantState
{
    /// <summary>The hospital's name; null until created.</summary>
    [Id(0)] public string? DisplayName { get; init; }

    /// <summary>When it was created.</summary>
    [Id(1)] public DateTimeOffset CreatedAt { get; init; }

    /// <summary>Who created it (operator id), for the audit trail.</summary>
    [Id(2)] public string? CreatedBy { get; init; }

    /// <summary>How the hospital archives images.</summary>
    [Id(3)] public Contracts.Archive.ArchiveCompression ArchiveCompression { get; init; }

    /// <summary>The registered devices (the edge's calling-AE allow-list), in AE title order; at most <see cref="Contracts.Tenants.DeviceRegistrations.MaxDevicesPerTenant"/>.</summary>
    [Id(4)] public IReadOnlyList<Contracts.Tenants.DeviceRegistration> Devices { get; init; } = [];
}
