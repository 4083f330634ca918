using Orleans.Runtime;
using OrleansImaging.Contracts;
using OrleansImaging.Contracts.Archive;
using OrleansImaging.Contracts.Errors;
using OrleansImaging.Contracts.Tenants;
using OrleansImaging.Grains.Authorization;

namespace OrleansImaging.Grains.Tenants;

/// <summary>A hospital. Created by an operator; seen by its own people and by operators only.</summary>
public sealed class TenantGrain(
    [PersistentState(StorageNames.TenantState, StorageNames.Provider)] IPersistentState<TenantState> state,
    TimeProvider time) : Grain, ITenantGrain
{
    /// <summary>The longest display name accepted.</summary>
    public const int MaxDisplayNameLength = 200;

    private string TenantId => this.GetPrimaryKeyString();

    private bool Exists => state.State.DisplayName is not null;

    /// <inheritdoc/>
    public async Task<TenantInfo> CreateAsync(string displayName)
    {
        var caller = Access.CurrentCaller();
        Access.Demand(TenantAccess.DecideCreate(caller, TenantId), "Tenant");
        if (!GrainKeys.IsValidTenantId(TenantId))
        {
            throw new InvalidRequestException("Invalid tenant id.");
        }
        if (string.IsNullOrWhiteSpace(displayName) || displayName.Length > MaxDisplayNameLength || displayName.Any(char.IsControl))
        {
            throw new InvalidRequestException($"A display name is 1–{MaxDisplayNameLength} printable characters.");
        }
        if (Exists)
        {
            // Idempotent for a retried create; a different name is a rename, which is not this method's job.
            return state.State.DisplayName == displayName
                ? Info()
                : throw new InvalidRequestException("The tenant exists with another display name.");
        }
        state.State = new TenantState { DisplayName = displayName, CreatedAt = time.GetUtcNow(), CreatedBy = caller.Id };
        await state.WriteStateAsync();
        return Info();
    }

    /// <inheritdoc/>
    public Task<TenantInfo> GetInfoAsync()
    {
        var caller = Access.CurrentCaller();
        if (!Exists || !TenantAccess.CanRead(caller, TenantId))
        {
            throw new NotFoundException("Tenant not found.");
        }
        return Task.FromResult(Info());
    }

    /// <inheritdoc/>
    public Task<bool> ExistsAsync() => Task.FromResult(Exists && TenantAccess.CanRead(Access.CurrentCaller(), TenantId));

    /// <inheritdoc/>
    public Task<ArchiveCompression> GetArchiveCompressionAsync()
    {
        var caller = Access.CurrentCaller();
        if (!Exists || !TenantAccess.CanRead(caller, TenantId))
        {
            throw new NotFoundException("Tenant not found.");
        }
        return Task.FromResult(state.State.ArchiveCompression);
    }

    /// <inheritdoc/>
    public async Task<TenantInfo> SetArchiveCompressionAsync(ArchiveCompression compression)
    {
        var caller = Access.CurrentCaller();
        if (!Exists)
        {
            throw new NotFoundException("Tenant not found.");
        }
        Access.Demand(TenantAccess.DecideManageSettings(caller, TenantId), "Tenant");
        if (!Enum.IsDefined(compression))
        {
            throw new InvalidRequestException("Unknown archive compression.");
        }
        if (state.State.ArchiveCompression != compression)
        {
            state.State = state.State with { ArchiveCompression = compression };
            await state.WriteStateAsync();
        }
        return Info();
    }

    /// <inheritdoc/>
    public async Task<DeviceRegistration> RegisterDeviceAsync(DeviceRegistration device)
    {
        var caller = Access.CurrentCaller();
        DemandExists();
        Access.Demand(TenantAccess.DecideManageSettings(caller, TenantId), "Tenant");
        var registration = DeviceRegistrations.Validate(device, out var error) ?? throw new InvalidRequestException(error);
        var devices = Devices;
        var index = IndexOf(registration.AeTitle);
        if (index >= 0 && devices[index] == registration)
        {
            return registration;
        }
        if (index < 0 && devices.Count >= DeviceRegistrations.MaxDevicesPerTenant)
        {
            throw new InvalidRequestException($"A hospital registers at most {DeviceRegistrations.MaxDevicesPerTenant} devices; remove one first.");
        }
        var updated = devices.Where(d => !string.Equals(d.AeTitle, registration.AeTitle, StringComparison.Ordinal)).Append(registration)
            .OrderBy(d => d.AeTitle, StringComparer.Ordinal).ToList();
        state.State = state.State with { Devices = updated };
        await state.WriteStateAsync();
        return registration;
    }

    /// <inheritdoc/>
    public async Task<bool> RemoveDeviceAsync(string aeTitle)
    {
        var caller = Access.CurrentCaller();
        DemandExists();
        Access.Demand(TenantAccess.DecideManageSettings(caller, TenantId), "Tenant");
        var normalized = DeviceRegistrations.NormalizeAeTitle(aeTitle) ?? throw new InvalidRequestException("Not an AE title.");
        var index = IndexOf(normalized);
        if (index < 0)
        {
            return false;
        }
        state.State = state.State with { Devices = Devices.Where((_, i) => i != index).ToList() };
        await state.WriteStateAsync();
        return true;
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<DeviceRegistration>> GetDevicesAsync()
    {
        var caller = Access.CurrentCaller();
        DemandExists();
        Access.Demand(TenantAccess.DecideReadDevices(caller, TenantId), "Tenant");
        return Task.FromResult(Devices);
    }

    // A tenant that does not exist is NotFound for everyone, as for one the caller may not see.
    private void DemandExists()
    {
        if (!Exists)
        {
            throw new NotFoundException("Tenant not found.");
        }
    }

    // A tenant persisted before devices existed has no such field: none registered.
    private IReadOnlyList<DeviceRegistration> Devices => state.State.Devices ?? [];

    private int IndexOf(string aeTitle)
    {
        var devices = Devices;
        for (var i = 0; i < devices.Count; i++)
        {
            if (string.Equals(devices[i].AeTitle, aeTitle, StringComparison.Ordinal))
            {
                return i;
            }
        }
        return -1;
    }

    private TenantInfo Info() => new(TenantId, state.State.DisplayName!, state.State.CreatedAt, state.State.ArchiveCompression);
}
