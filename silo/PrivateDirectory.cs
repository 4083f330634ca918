namespace OrleansImaging.Silo;

/// <summary>
/// The data directory holds patient images, the catalogue, grain state with password and token hashes, and the TLS
/// key: only its owner may enter it (0700), whatever the umask. An existing directory that others could read is
/// closed the same way, so files created inside it with the umask's 0644 are out of other accounts' reach (S1.1).
/// </summary>
public static class PrivateDirectory
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode Others = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>Creates <paramref name="path"/> (and missing parents) if needed and leaves it owner-only; returns its full path.</summary>
    public static string Ensure(string path)
    {
        var full = Path.GetFullPath(path);
        if (OperatingSystem.IsWindows())
            return Directory.CreateDirectory(full).FullName;
        if (!Directory.Exists(full))
            Directory.CreateDirectory(full, OwnerOnly);
        var mode = File.GetUnixFileMode(full);
        if ((mode & Others) != 0)
            File.SetUnixFileMode(full, mode & ~Others);
        return full;
    }
}
