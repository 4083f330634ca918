using OrleansImaging.Dicom;
using OrleansImaging.Dicom.IO;

namespace OrleansImaging.Edge.Upload;

/// <summary>
/// Finds the DICOM files to upload: through the DICOMDIR when the folder (or the path itself) is one — the way a CD
/// says what it holds — else by content, never by extension (CD files are often named <c>IM000001</c> without one).
/// </summary>
internal static class DicomFileFinder
{
    private const string MediaStorageDirectoryStorage = "1.2.840.10008.1.3.10";

    /// <summary>What was found and what could not be used.</summary>
    /// <param name="Files">Full paths of the DICOM files, in a stable order.</param>
    /// <param name="Problems">Files the DICOMDIR names that are missing, or files that could not be read, with why.</param>
    /// <param name="ByDicomdir">Whether the list came from a DICOMDIR.</param>
    public sealed record Result(IReadOnlyList<string> Files, IReadOnlyList<(string Path, string Reason)> Problems, bool ByDicomdir);

    /// <summary>Finds the files under <paramref name="path"/> (a folder, a DICOMDIR file, or one DICOM file).</summary>
    public static async Task<Result> FindAsync(string path, CancellationToken cancellationToken)
    {
        var dicomdir = File.Exists(path) && IsNamedDicomdir(path) ? path
            : Directory.Exists(path) ? FindDicomdir(path)
            : null;
        if (dicomdir is not null)
            return await FromDicomdirAsync(dicomdir, cancellationToken);
        if (File.Exists(path))
        {
            var reason = await WhyNotDicomAsync(path, cancellationToken);
            return reason is null ? new Result([Path.GetFullPath(path)], [], false) : new Result([], [(path, reason)], false);
        }
        if (!Directory.Exists(path))
            throw new DirectoryNotFoundException($"'{path}' is neither a folder nor a file.");
        var files = new List<string>();
        var problems = new List<(string, string)>();
        foreach (var file in Directory.EnumerateFiles(path, "*", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = FileAttributes.ReparsePoint })
            .Order(StringComparer.Ordinal))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (await WhyNotDicomAsync(file, cancellationToken) is null)
                files.Add(Path.GetFullPath(file));
        }
        return new Result(files, problems, false);
    }

    /// <summary>Null when <paramref name="file"/> is a DICOM object to upload; else why not (not DICOM, a DICOMDIR, unreadable).</summary>
    internal static async Task<string?> WhyNotDicomAsync(string file, CancellationToken cancellationToken)
    {
        try
        {
            // Part 10 files say so at byte 128; anything else is not something STOW-RS takes either.
            var head = new byte[132];
            await using (var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.Asynchronous))
            {
                if (await stream.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false, cancellationToken) < head.Length || !head.AsSpan(128).SequenceEqual("DICM"u8))
                    return "not a DICOM Part 10 file";
            }
            var header = await DicomFile.OpenAsync(file, DicomReadOptions.HeaderOnly, cancellationToken);
            var sopClass = header.FileMetaInformation.GetStringOrNull(DicomTag.MediaStorageSOPClassUID) ?? header.Dataset.GetStringOrNull(DicomTag.SOPClassUID);
            return sopClass == MediaStorageDirectoryStorage ? "a DICOMDIR (the index of the media, not an image)" : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or DicomException)
        {
            return "not readable: " + ex.Message;
        }
    }

    private static bool IsNamedDicomdir(string path) => Path.GetFileName(path).Equals("DICOMDIR", StringComparison.OrdinalIgnoreCase);

    private static string? FindDicomdir(string folder) =>
        Directory.EnumerateFiles(folder).FirstOrDefault(IsNamedDicomdir);

    private static async Task<Result> FromDicomdirAsync(string dicomdir, CancellationToken cancellationToken)
    {
        var root = Path.GetDirectoryName(Path.GetFullPath(dicomdir))!;
        var directory = await DicomFile.OpenAsync(dicomdir, cancellationToken: cancellationToken);
        var files = new List<string>();
        var problems = new List<(string, string)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var record in directory.Dataset.GetSequenceOrDefault(DicomTag.DirectoryRecordSequence)?.Items ?? [])
        {
            var components = record.GetValues<string>(DicomTag.ReferencedFileID);
            if (components.Length == 0)
                continue; // patient, study and series records name no file
            var relative = Path.Combine([.. components.Select(c => c.Trim())]);
            if (components.Any(c => c.Trim() is "" or "." or ".." || c.Contains('/', StringComparison.Ordinal)))
            {
                problems.Add((relative, "the DICOMDIR names a file outside the media"));
                continue;
            }
            var full = Resolve(root, components);
            if (full is null)
            {
                problems.Add((Path.Combine(root, relative), "named in the DICOMDIR but missing on the media"));
                continue;
            }
            if (seen.Add(full))
                files.Add(full);
        }
        return new Result(files, problems, true);
    }

    /// <summary>
    /// The file a Referenced File ID names. CD file systems often show ISO 9660 names in another case than the
    /// DICOMDIR writes them, so each component is matched without regard to case when the exact name is missing.
    /// </summary>
    private static string? Resolve(string root, IEnumerable<string> components)
    {
        var current = root;
        foreach (var raw in components)
        {
            var component = raw.Trim();
            var exact = Path.Combine(current, component);
            if (File.Exists(exact) || Directory.Exists(exact))
            {
                current = exact;
                continue;
            }
            var match = Directory.Exists(current)
                ? Directory.EnumerateFileSystemEntries(current).FirstOrDefault(e => Path.GetFileName(e).Equals(component, StringComparison.OrdinalIgnoreCase))
                : null;
            if (match is null)
                return null;
            current = match;
        }
        return File.Exists(current) ? Path.GetFullPath(current) : null;
    }
}
