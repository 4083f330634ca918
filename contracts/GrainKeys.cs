namespace OrleansImaging.Contracts;

/// <summary>
/// Builds and checks the string keys of our grains. Every key starts with the tenant id, so ids live within
/// a tenant: the same study UID in two hospitals is two study grains.
/// </summary>
public static class GrainKeys
{
    /// <summary>The longest tenant id (it prefixes every key and blob key).</summary>
    public const int MaxTenantIdLength = 63;

    /// <summary>The longest DICOM UID (PS3.5 §9.1).</summary>
    public const int MaxUidLength = 64;

    /// <summary>The longest patient id (the LO value representation).</summary>
    public const int MaxPatientIdLength = 64;

    /// <summary>The key of a patient grain: <c>{tenant}/{patientId}</c>.</summary>
    public static string Patient(string tenantId, string patientId)
    {
        Require(IsValidTenantId(tenantId), "tenant id");
        Require(IsValidPatientId(patientId), "patient id");
        return tenantId + "/" + patientId;
    }

    /// <summary>The key of a study grain: <c>{tenant}/{studyInstanceUid}</c>.</summary>
    public static string Study(string tenantId, string studyInstanceUid)
    {
        Require(IsValidTenantId(tenantId), "tenant id");
        Require(IsValidUid(studyInstanceUid), "Study Instance UID");
        return tenantId + "/" + studyInstanceUid;
    }

    /// <summary>The key of an upload grain: <c>{tenant}/{uploadId}</c>.</summary>
    public static string Upload(string tenantId, string uploadId)
    {
        Require(IsValidTenantId(tenantId), "tenant id");
        Require(IsValidUploadId(uploadId), "upload id");
        return tenantId + "/" + uploadId;
    }

    /// <summary>An upload id is 32 lower-case hex digits (128 random bits, so ids cannot be guessed).</summary>
    public static bool IsValidUploadId(string? uploadId) =>
        uploadId is { Length: 32 } && uploadId.All(c => c is (>= '0' and <= '9') or (>= 'a' and <= 'f'));

    /// <summary>The longest username.</summary>
    public const int MaxUsernameLength = 64;

    /// <summary>The key of a user grain: <c>{tenant}/{username}</c>.</summary>
    public static string User(string tenantId, string username)
    {
        Require(IsValidTenantId(tenantId), "tenant id");
        Require(IsValidUsername(username), "username");
        return tenantId + "/" + username;
    }

    /// <summary>
    /// A username is 1–64 characters of lower-case ASCII letters, digits, '.', '_' and '-', starting with a letter or
    /// digit: one spelling per person (no case or Unicode look-alikes), safe in keys and logs.
    /// </summary>
    public static bool IsValidUsername(string? username)
    {
        if (string.IsNullOrEmpty(username) || username.Length > MaxUsernameLength || !char.IsAsciiLetterLower(username[0]) && !char.IsAsciiDigit(username[0]))
        {
            return false;
        }
        foreach (var c in username)
        {
            if (c is not ((>= 'a' and <= 'z') or (>= '0' and <= '9') or '.' or '_' or '-'))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>Splits <c>{tenant}/{rest}</c> at the first slash; false if either part is empty.</summary>
    public static bool TrySplit(string key, out string tenantId, out string rest)
    {
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || slash == key.Length - 1)
        {
            tenantId = rest = "";
            return false;
        }
        tenantId = key[..slash];
        rest = key[(slash + 1)..];
        return true;
    }

    /// <summary>
    /// A tenant id is 1–63 characters of lower-case ASCII letters, digits and '-', starting with a letter or
    /// digit: safe in blob keys, file names and URLs without escaping.
    /// </summary>
    public static bool IsValidTenantId(string? tenantId)
    {
        if (string.IsNullOrEmpty(tenantId) || tenantId.Length > MaxTenantIdLength || tenantId[0] == '-')
        {
            return false;
        }
        foreach (var c in tenantId)
        {
            if (c is not ((>= 'a' and <= 'z') or (>= '0' and <= '9') or '-'))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>
    /// A DICOM UID (PS3.5 §9.1): 1–64 characters, dot-separated components of digits, no empty component,
    /// no leading zero in a component of more than one digit.
    /// </summary>
    public static bool IsValidUid(string? uid)
    {
        if (string.IsNullOrEmpty(uid) || uid.Length > MaxUidLength)
        {
            return false;
        }
        var componentStart = 0;
        for (var i = 0; i <= uid.Length; i++)
        {
            if (i == uid.Length || uid[i] == '.')
            {
                var length = i - componentStart;
                if (length == 0 || (length > 1 && uid[componentStart] == '0'))
                {
                    return false;
                }
                componentStart = i + 1;
            }
            else if (uid[i] is < '0' or > '9')
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>A patient id: 1–64 characters, no control characters and no backslash (the DICOM value separator).</summary>
    public static bool IsValidPatientId(string? patientId)
    {
        if (string.IsNullOrEmpty(patientId) || patientId.Length > MaxPatientIdLength || string.IsNullOrWhiteSpace(patientId))
        {
            return false;
        }
        foreach (var c in patientId)
        {
            if (char.IsControl(c) || c == '\\')
            {
                return false;
            }
        }
        return true;
    }

    private static void Require(bool valid, string what)
    {
        if (!valid)
        {
            throw new Errors.InvalidRequestException($"Invalid {what}.");
        }
    }
}
