using System.Text.Json;

namespace OrleansImaging.Edge.Upload;

/// <summary>What the journal remembers of one file.</summary>
/// <param name="Path">Full path of the file.</param>
/// <param name="Size">Its length when the entry was written.</param>
/// <param name="Modified">Its last write time (UTC ticks) then: a file changed since is sent again.</param>
/// <param name="Sha256">Its SHA-256 (lower-case hex).</param>
/// <param name="Upload">The upload's URL once created.</param>
/// <param name="State">started, sent, already, rejected.</param>
/// <param name="Detail">Why it was rejected.</param>
internal sealed record JournalEntry(string Path, long Size, long Modified, string Sha256, string? Upload, string State, string? Detail = null);

/// <summary>
/// The upload client's memory between runs: one JSON line per event, appended and flushed to disk before the client
/// relies on it, so a run that was stopped (Ctrl-C, a crash, a power cut) resumes each file where its upload stands
/// and does not send finished files again. The last line of a path wins; a torn last line is ignored.
/// </summary>
internal sealed class UploadJournal : IDisposable
{
    private readonly FileStream _stream;
    private readonly Dictionary<string, JournalEntry> _entries = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    private UploadJournal(FileStream stream) => _stream = stream;

    /// <summary>Where the journal of uploading <paramref name="source"/> to <paramref name="cloud"/> lives by default.</summary>
    public static string DefaultPath(string source, Uri cloud)
    {
        var state = Environment.GetEnvironmentVariable("XDG_STATE_HOME") is { Length: > 0 } xdg
            ? xdg
            : System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "state");
        var key = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(System.IO.Path.GetFullPath(source) + "\n" + cloud.AbsoluteUri)))[..16];
        return System.IO.Path.Combine(state, "orleans-imaging", "upload-" + key + ".journal");
    }

    /// <summary>Opens (creating) the journal at <paramref name="path"/> and reads what earlier runs wrote.</summary>
    public static UploadJournal Open(string path)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
        var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
        var journal = new UploadJournal(stream);
        using (var reader = new StreamReader(stream, leaveOpen: true))
        {
            while (reader.ReadLine() is { } line)
            {
                try
                {
                    if (JsonSerializer.Deserialize<JournalEntry>(line) is { } entry)
                        journal._entries[entry.Path] = entry;
                }
                catch (JsonException)
                {
                    // A line torn by a crash while it was written: what it said is asked of the cloud again.
                }
            }
        }
        stream.Seek(0, SeekOrigin.End);
        if (stream.Length > 0)
        {
            stream.Seek(-1, SeekOrigin.End);
            var last = stream.ReadByte();
            if (last != '\n')
                stream.WriteByte((byte)'\n'); // start after a torn line, not inside it
        }
        return journal;
    }

    /// <summary>The last entry of <paramref name="path"/>, if it still describes the file as it is now.</summary>
    public JournalEntry? Find(string path, long size, long modified)
    {
        lock (_gate)
            return _entries.TryGetValue(path, out var entry) && entry.Size == size && entry.Modified == modified ? entry : null;
    }

    /// <summary>Appends <paramref name="entry"/> and flushes it to disk.</summary>
    public void Write(JournalEntry entry)
    {
        var line = JsonSerializer.SerializeToUtf8Bytes(entry);
        lock (_gate)
        {
            _entries[entry.Path] = entry;
            _stream.Write(line);
            _stream.WriteByte((byte)'\n');
            _stream.Flush(flushToDisk: true);
        }
    }

    public void Dispose() => _stream.Dispose();
}
