namespace OrleansImaging.Grains.Storage;

/// <summary>
/// The key rules shared by every store, strict enough that a key is a safe relative path on any file
/// system and a valid Azure blob name: '/'-separated segments of ASCII letters, digits, '.', '_' and '-',
/// each starting with a letter or digit (so no "." or "..", and no name that could collide with the
/// folder store's hidden temp files), at most 1,024 characters and 254 segments (Azure's limits).
/// DICOM UIDs (digits and dots) and our tenant ids fit.
/// </summary>
public static class BlobKey
{
    /// <summary>Azure's blob name limit.</summary>
    public const int MaxLength = 1024;

    /// <summary>Azure's path segment limit (a longer name would still store, but not as "folders").</summary>
    public const int MaxSegments = 254;

    /// <summary>Longest segment: ext4 and most file systems allow 255 bytes per name; the folder store's temp names add 40.</summary>
    public const int MaxSegmentLength = 200;

    /// <summary>Throws <see cref="InvalidBlobKeyException"/> unless <paramref name="key"/> follows the rules.</summary>
    public static void Validate(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Length == 0)
            throw new InvalidBlobKeyException(key, "it is empty");
        if (key.Length > MaxLength)
            throw new InvalidBlobKeyException(key, $"it is longer than {MaxLength} characters");
        ValidateSegments(key, allowPartialLastSegment: false);
    }

    /// <summary>
    /// Throws unless <paramref name="prefix"/> could start a valid key: empty, whole segments each followed
    /// by '/', optionally ending in the start of one more segment.
    /// </summary>
    public static void ValidatePrefix(string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        if (prefix.Length == 0)
            return;
        if (prefix.Length > MaxLength)
            throw new InvalidBlobKeyException(prefix, $"the prefix is longer than {MaxLength} characters");
        ValidateSegments(prefix, allowPartialLastSegment: true);
    }

    private static void ValidateSegments(string key, bool allowPartialLastSegment)
    {
        var segments = 0;
        var start = 0;
        while (true)
        {
            var slash = key.IndexOf('/', start);
            var end = slash < 0 ? key.Length : slash;
            var segment = key.AsSpan(start, end - start);
            var isLast = slash < 0;
            if (segment.Length == 0)
            {
                // "a/b/" is a fine prefix (everything in b) but not a key.
                if (!(isLast && allowPartialLastSegment))
                    throw new InvalidBlobKeyException(key, start == 0 ? "it starts with '/' (keys are relative)" : "it has an empty segment ('//' or a trailing '/')");
            }
            else
            {
                if (!char.IsAsciiLetterOrDigit(segment[0]))
                    throw new InvalidBlobKeyException(key, $"segment '{segment}' does not start with a letter or digit");
                if (segment.Length > MaxSegmentLength)
                    throw new InvalidBlobKeyException(key, $"a segment is longer than {MaxSegmentLength} characters");
                foreach (var c in segment)
                {
                    if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
                        throw new InvalidBlobKeyException(key, $"character '{c}' (U+{(int)c:X4}) is not allowed");
                }
                if (++segments > MaxSegments)
                    throw new InvalidBlobKeyException(key, $"it has more than {MaxSegments} segments");
            }
            if (isLast)
                return;
            start = slash + 1;
        }
    }
}
