namespace OrleansImaging.Contracts.Tenants;

/// <summary>A hospital (tenant). Key: the tenant id (<see cref="GrainKeys.IsValidTenantId"/>).</summary>
public interface ITenantGrain : IGrainWithStringKey
{
    /// <summary>
    /// Creates the tenant with <paramref name="displayName"/>; calling it again with the same name returns the
    /// existing tenant unchanged (idempotent), with another name it is refused. Operators only.
    /// </summary>
    Task<TenantInfo> CreateAsync(string displayName);

    /// <summary>The tenant's information. Throws <see cref="Errors.NotFoundException"/> if it does not exist or the caller may not see it.</summary>
    Task<TenantInfo> GetInfoAsync();

    /// <summary>Whether the tenant exists, as far as the caller may know: false for a tenant the caller may not see.</summary>
    Task<bool> ExistsAsync();

    /// <summary>How the hospital archives images; anyone who may see the tenant may read it.</summary>
    Task<Archive.ArchiveCompression> GetArchiveCompressionAsync();

    /// <summary>Sets the archive compression for images stored from now on. The hospital's admins and operators only.</summary>
    Task<TenantInfo> SetArchiveCompressionAsync(Archive.ArchiveCompression compression);

    /// <summary>
    /// Registers <paramref name="device"/> (checked by <see cref="DeviceRegistrations.Validate"/>): the same registration
    /// again changes nothing, another one with the same AE title replaces it. Refused beyond
    /// <see cref="DeviceRegistrations.MaxDevicesPerTenant"/> devices. The hospital's admins and operators only.
    /// </summary>
    /// <returns>The registration as stored (normalized).</returns>
    Task<DeviceRegistration> RegisterDeviceAsync(DeviceRegistration device);

    /// <summary>Removes the device with <paramref name="aeTitle"/>; false if there was none. The hospital's admins and operators only.</summary>
    Task<bool> RemoveDeviceAsync(string aeTitle);

    /// <summary>
    /// The registered devices, ordered by AE title: for those who may manage the settings, and for the tenant's tokens
    /// with <c>dicomweb:write</c> (the edge's allow-list).
    /// </summary>
    Task<IReadOnlyList<DeviceRegistration>> GetDevicesAsync();
}

/// <summary>What a tenant is.</summary>
/// <param name="TenantId">The tenant id (the grain key).</param>
/// <param name="DisplayName">The hospital's name, for people.</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="ArchiveCompression">How it archives images.</param>
[GenerateSerializer, Immutable, Alias("OrleansImaging.TenantInfo")]
public sealed record TenantInfo(
    [property: Id(0)] string TenantId,
    [property: Id(1)] string DisplayName,
    [property: Id(2)] DateTimeOffset CreatedAt,
    [property: Id(3)] Archive.ArchiveCompression ArchiveCompression = Archive.ArchiveCompression.AsReceived);
