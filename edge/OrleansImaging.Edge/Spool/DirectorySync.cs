using System.Runtime.InteropServices;

namespace OrleansImaging.Edge.Spool;

/// <summary>
/// fsync of a directory, which .NET lacks: a rename or a delete is durable only once the directory holding it is
/// synced, so "success" to a modality and "removed after the cloud confirmed" both wait for it.
/// </summary>
internal static class DirectorySync
{
    private const int ReadOnly = 0; // O_RDONLY is enough to fsync a directory on Linux and macOS

    /// <summary>Flushes <paramref name="directory"/>'s entries to disk; a no-op where there is no POSIX fsync.</summary>
    /// <exception cref="IOException">The directory cannot be opened or synced.</exception>
    public static void Flush(string directory)
    {
        if (OperatingSystem.IsWindows())
            return; // NTFS journals its metadata; there is no directory handle to flush
        var fd = Open(directory, ReadOnly);
        if (fd < 0)
            throw new IOException($"Cannot open directory '{directory}' to fsync it (errno {Marshal.GetLastPInvokeError()}).");
        try
        {
            if (Fsync(fd) != 0)
                throw new IOException($"fsync of directory '{directory}' failed (errno {Marshal.GetLastPInvokeError()}).");
        }
        finally
        {
            _ = Close(fd);
        }
    }

    /// <summary>Writes <paramref name="content"/> to <paramref name="path"/> atomically and durably: temp file, fsync, rename, fsync the directory.</summary>
    public static void WriteAllBytes(string path, ReadOnlySpan<byte> content)
    {
        var temporary = path + ".tmp";
        using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            file.Write(content);
            file.Flush(flushToDisk: true);
        }
        File.Move(temporary, path, overwrite: true);
        Flush(Path.GetDirectoryName(Path.GetFullPath(path))!);
    }

    /// <summary>Opens <paramref name="directory"/> read-only for <see cref="SyncFileSystem"/>; -1 when it cannot be.</summary>
    internal static int OpenDirectory(string directory) => Open(directory, ReadOnly);

    /// <summary>syncfs(2) of the file system <paramref name="fd"/> is on (Linux): 0, or -1 with errno set.</summary>
    [DllImport("libc", EntryPoint = "syncfs", SetLastError = true)]
    internal static extern int SyncFileSystem(int fd);

    /// <summary>Closes a descriptor from <see cref="OpenDirectory"/>.</summary>
    internal static void CloseDirectory(int fd) => _ = Close(fd);

    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    private static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static extern int Fsync(int fd);

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    private static extern int Close(int fd);
}
