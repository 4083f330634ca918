namespace OrleansImaging.Grains;

/// <summary>
/// The grain storage provider and the state names. Orleans' ADO.NET storage keys rows by state name and grain key,
/// not by grain class, so every grain class has its own state name; never rename one (old rows would be orphaned).
/// </summary>
public static class StorageNames
{
    /// <summary>The grain storage provider every grain of ours uses.</summary>
    public const string Provider = "imaging";

    /// <summary>State name of <see cref="Tenants.TenantGrain"/>.</summary>
    public const string TenantState = "tenant";

    /// <summary>State name of <see cref="Patients.PatientGrain"/>.</summary>
    public const string PatientState = "patient";

    /// <summary>State name of <see cref="Studies.StudyGrain"/>.</summary>
    public const string StudyState = "study";

    /// <summary>State name of <see cref="Identity.UserGrain"/>.</summary>
    public const string UserState = "user";

    /// <summary>State name of <see cref="Identity.AccessTokenGrain"/>.</summary>
    public const string AccessTokenState = "access-token";

    /// <summary>State name of <see cref="Uploads.UploadGrain"/>.</summary>
    public const string UploadState = "upload";
}
