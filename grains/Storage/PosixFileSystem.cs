using System.Runtime.InteropServices;

namespace OrleansImaging.Grains.Storage;

/// <summary>
/// The two file system calls .NET lacks for a durable, race-free store: fsync on a directory
/// (<c>File.OpenHandle</c> refuses directories; a rename or new file is only durable once the directory
/// holding its entry is flushed), and create-if-absent for a name (<c>File.Move(overwrite: false)</c> checks
/// and then renames on Linux, so two racing movers both "win"; <c>link(2)</c> is atomic and fails with EEXIST).
/// </summary>
internal static class PosixFileSystem
{
    private const int ReadOnly = 0;               // O_RDONLY: enough to fsync a directory on Linux and macOS
    private const int CloseOnExecLinux = 0x80000; // O_CLOEXEC on Linux (x64 and arm64): no fd leak into child processes
    private const int AlreadyExists = 17;         // EEXIST on Linux and macOS

    public static void FlushDirectory(string directory)
    {
        // Windows cannot open a directory this way and NTFS journals its metadata; nothing to do there.
        if (OperatingSystem.IsWindows())
            return;
        var fd = Open(directory, OperatingSystem.IsLinux() ? ReadOnly | CloseOnExecLinux : ReadOnly);
        if (fd < 0)
            throw new IOException($"Cannot open directory '{directory}' to fsync it (errno {Marshal.GetLastPInvokeError()}).");
        try
        {
            if (Fsync(fd) < 0)
                throw new IOException($"fsync of directory '{directory}' failed (errno {Marshal.GetLastPInvokeError()}).");
        }
        finally
        {
            _ = Close(fd);
        }
    }

    /// <summary>Gives <paramref name="source"/>'s file the name <paramref name="destination"/> unless that name exists; returns false if it does.</summary>
    public static bool TryMoveNoReplace(string source, string destination)
    {
        if (OperatingSystem.IsWindows())
        {
            // MoveFileEx without MOVEFILE_REPLACE_EXISTING is atomic on NTFS.
            try
            {
                File.Move(source, destination, overwrite: false);
                return true;
            }
            catch (IOException) when (File.Exists(destination))
            {
                return false;
            }
        }
        if (Link(source, destination) < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno == AlreadyExists)
                return false;
            throw new IOException($"link('{source}', '{destination}') failed (errno {errno}); the blob folder must be on a file system with hard links.");
        }
        // Both names now point at the complete file; drop the temp one. A kill in between leaves a temp name that
        // the start-up sweep removes, never a partial object.
        File.Delete(source);
        return true;
    }

    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    private static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static extern int Fsync(int fd);

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    private static extern int Close(int fd);

    [DllImport("libc", EntryPoint = "link", SetLastError = true)]
    private static extern int Link([MarshalAs(UnmanagedType.LPUTF8Str)] string existingPath, [MarshalAs(UnmanagedType.LPUTF8Str)] string newPath);
}
