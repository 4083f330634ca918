using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using OrleansImaging.Dicom;
using OrleansImaging.Dicom.IO;
using OrleansImaging.Edge.Upload;

namespace OrleansImaging.Edge.Spool;

/// <summary>One queued file in a batch, as it was when the batch was built.</summary>
/// <param name="SopInstanceUid">The instance (the file is named after it).</param>
/// <param name="Length">The file's length then.</param>
/// <param name="Modified">Its last write time then (UTC ticks): a file replaced since is not removed with the batch.</param>
internal sealed record BatchMember(string SopInstanceUid, long Length, long Modified);

/// <summary>
/// A batch: queued instances of one study sent as one multipart/related STOW body, one tus upload. The body is read
/// straight from the queued files (<see cref="BatchBody"/>); the manifest (<c>batches/&lt;id&gt;.json</c>) records its
/// members, boundary and hash, and the upload URL once created, so an edge restarted mid-upload resumes the same upload.
/// </summary>
internal sealed record SpoolBatch(string Id, string StudyInstanceUid, string Boundary, string Sha256, long Length, IReadOnlyList<BatchMember> Members, string? Upload)
{
    /// <summary>The Upload-Metadata contentType of the body.</summary>
    public string ContentType => $"multipart/related; type=\"application/dicom\"; boundary={Boundary}";
}

/// <summary>
/// The edge's spool directory: <c>queue/</c> (received, not yet confirmed by the cloud), <c>batches/</c> (the batches
/// in flight), <c>failed/</c> (instances the cloud refused, each with a <c>.reason</c>), <c>done.log</c> (one line per
/// confirmed instance) and <c>status.json</c> (written by the running edge every second). Every step that lets go of
/// an instance is made durable before the next: nothing is deleted before the cloud confirmed it.
/// Several uploaders may share one spool: <see cref="NextBatchAsync"/> hands each a batch of a study no other batch
/// in flight belongs to, so no queued file is ever in two batches at once.
/// </summary>
internal sealed class EdgeSpool
{
    // Guarded by _choosing: only one caller picks or builds a batch at a time (it reads the queue, then claims).
    private readonly Dictionary<string, (long Modified, string Study)> _studies = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _choosing = new(1, 1);
    // Batch id → study of every batch handed out and not yet completed or discarded. Guarded by itself.
    private readonly Dictionary<string, string> _claimed = new(StringComparer.Ordinal);
    // done.log is appended by whichever batch completes: one append at a time.
    private readonly Lock _doneGate = new();

    /// <summary>Opens (creating if needed) the spool at <paramref name="root"/>.</summary>
    public EdgeSpool(string root)
    {
        Root = CreateOwnerOnly(root);
        Directory.CreateDirectory(QueueDirectory);
        Directory.CreateDirectory(BatchDirectory);
        Directory.CreateDirectory(FailedDirectory);
    }

    public string Root { get; }

    /// <summary>
    /// The spool holds patients' images and the device list: only its owner may enter it (0700), whatever the umask,
    /// and an existing spool others could read is closed the same way (S1.1).
    /// </summary>
    private static string CreateOwnerOnly(string root)
    {
        var full = Path.GetFullPath(root);
        if (OperatingSystem.IsWindows())
            return Directory.CreateDirectory(full).FullName;
        const UnixFileMode ownerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        if (!Directory.Exists(full))
            Directory.CreateDirectory(full, ownerOnly);
        if ((File.GetUnixFileMode(full) & ~ownerOnly & (UnixFileMode)0x1FF) != 0)
            File.SetUnixFileMode(full, File.GetUnixFileMode(full) & ownerOnly);
        return full;
    }

    public string QueueDirectory => Path.Combine(Root, "queue");

    public string BatchDirectory => Path.Combine(Root, "batches");

    public string FailedDirectory => Path.Combine(Root, "failed");

    public string DoneLog => Path.Combine(Root, "done.log");

    public string StatusFile => Path.Combine(Root, "status.json");

    public string QueuedPath(string sopInstanceUid) => Path.Combine(QueueDirectory, sopInstanceUid + ".dcm");

    /// <summary>The batch's body, read from its queued files.</summary>
    public Stream OpenBody(SpoolBatch batch) => BatchBody.Open(QueueDirectory, batch.Boundary, batch.Members);

    /// <summary>The queued instances (complete files only: a receive cut short leaves a dot-named part file).</summary>
    public static IEnumerable<FileInfo> Queued(string queueDirectory) =>
        new DirectoryInfo(queueDirectory).Exists
            ? new DirectoryInfo(queueDirectory).EnumerateFiles("*.dcm").Where(f => !f.Name.StartsWith('.'))
            : [];

    /// <summary>
    /// Removes part files a killed receive left behind (never acknowledged, so nobody waits for them), and batches an
    /// earlier version built as a copied body (<c>.mpr</c>): their instances are still queued and go in new batches;
    /// one the cloud had already ingested is answered "already stored" the second time.
    /// </summary>
    public int RemoveStaleParts()
    {
        var removed = 0;
        foreach (var part in Directory.EnumerateFiles(QueueDirectory, ".*.part").Concat(Directory.EnumerateFiles(BatchDirectory, "*.tmp")))
        {
            File.Delete(part);
            removed++;
        }
        foreach (var body in Directory.EnumerateFiles(BatchDirectory, "*.mpr"))
        {
            File.Delete(Path.ChangeExtension(body, ".json"));
            File.Delete(body);
            removed++;
        }
        if (removed > 0)
            DirectorySync.Flush(BatchDirectory);
        return removed;
    }

    /// <summary>
    /// The next batch for an uploader, claimed for it until <see cref="Complete"/> or <see cref="Discard"/>: a batch
    /// an earlier run left in flight (the oldest) whose study is not in flight already, else a new one built from the
    /// queued instances of a study that has no batch (see <see cref="CreateBatchAsync"/>). Null when there is nothing
    /// to send that no other batch holds. Safe to call from several uploaders at once.
    /// </summary>
    public async Task<SpoolBatch?> NextBatchAsync(int maxInstances, long maxBytes, Action<string> log, CancellationToken cancellationToken)
    {
        await _choosing.WaitAsync(cancellationToken);
        try
        {
            HashSet<string> busy;
            lock (_claimed)
                busy = _claimed.Values.ToHashSet(StringComparer.Ordinal);
            var claimedIds = ClaimedIds();
            var left = new List<SpoolBatch>();
            foreach (var batch in Manifests())
            {
                if (claimedIds.Contains(batch.Id))
                    continue;
                left.Add(batch);
            }
            // A study with a manifest on disk (claimed or not) gets no new batch: its files may be in that body.
            var pick = left.FirstOrDefault(b => !busy.Contains(b.StudyInstanceUid));
            if (pick is null)
            {
                busy.UnionWith(left.Select(b => b.StudyInstanceUid));
                pick = await CreateBatchAsync(maxInstances, maxBytes, busy, log, cancellationToken);
            }
            if (pick is not null)
            {
                lock (_claimed)
                    _claimed[pick.Id] = pick.StudyInstanceUid;
            }
            return pick;
        }
        finally
        {
            _choosing.Release();
        }
    }

    /// <summary>The batch as its manifest now says (its upload URL once saved), or null once it is gone.</summary>
    public SpoolBatch? Reload(SpoolBatch batch)
    {
        var manifest = Path.Combine(BatchDirectory, batch.Id + ".json");
        var current = File.Exists(manifest) ? Read(manifest) : null;
        if (current is null)
        {
            lock (_claimed)
                _claimed.Remove(batch.Id);
            return null;
        }
        return current;
    }

    private HashSet<string> ClaimedIds()
    {
        lock (_claimed)
            return _claimed.Keys.ToHashSet(StringComparer.Ordinal);
    }

    // The manifests on disk, oldest first (ids start with the time of their oldest member); an unreadable one is
    // removed (its files are all still queued).
    private List<SpoolBatch> Manifests()
    {
        var batches = new List<SpoolBatch>();
        foreach (var manifest in Directory.EnumerateFiles(BatchDirectory, "*.json").Order(StringComparer.Ordinal))
        {
            if (Read(manifest) is { } batch)
                batches.Add(batch);
            else if (!ClaimedIds().Contains(Path.GetFileNameWithoutExtension(manifest)))
                File.Delete(manifest);
        }
        return batches;
    }

    private static SpoolBatch? Read(string manifest)
    {
        try
        {
            return JsonSerializer.Deserialize<SpoolBatch>(File.ReadAllBytes(manifest));
        }
        catch (JsonException)
        {
            return null; // written by rename, so never torn; one edited by hand is dropped (its files are still queued)
        }
        catch (FileNotFoundException)
        {
            return null; // completed meanwhile
        }
    }

    /// <summary>Records the batch's upload URL (before its first byte is sent).</summary>
    public void Save(SpoolBatch batch) =>
        DirectorySync.WriteAllBytes(Path.Combine(BatchDirectory, batch.Id + ".json"), JsonSerializer.SerializeToUtf8Bytes(batch));

    /// <summary>
    /// Builds the next batch: the queued instances of the study of the oldest queued file not of a
    /// <paramref name="busy"/> study, oldest first, up to <paramref name="maxInstances"/> and
    /// <paramref name="maxBytes"/> (at least one); null when there is none. The body is written and fsynced before the
    /// manifest names it.
    /// </summary>
    private async Task<SpoolBatch?> CreateBatchAsync(int maxInstances, long maxBytes, IReadOnlySet<string> busy, Action<string> log, CancellationToken cancellationToken)
    {
        var queued = Queued(QueueDirectory).OrderBy(f => f.LastWriteTimeUtc.Ticks).ThenBy(f => f.Name, StringComparer.Ordinal).ToList();
        if (queued.Count == 0)
            return null;
        var members = new List<(FileInfo File, string Study)>();
        string? study = null;
        long bytes = 0;
        foreach (var file in queued)
        {
            var fileStudy = await StudyOfAsync(file, log, cancellationToken);
            if (fileStudy is null || busy.Contains(fileStudy))
                continue;
            study ??= fileStudy;
            if (fileStudy != study)
                continue;
            if (members.Count > 0 && (members.Count >= maxInstances || bytes + file.Length > maxBytes))
                break;
            members.Add((file, fileStudy));
            bytes += file.Length;
        }
        if (members.Count == 0)
            return null;
        var id = string.Create(CultureInfo.InvariantCulture, $"{members[0].File.LastWriteTimeUtc:yyyyMMddHHmmssfff}-{Guid.NewGuid():N}");
        var boundary = "edge-" + Guid.NewGuid().ToString("N");
        var recorded = members.Select(m => new BatchMember(Path.GetFileNameWithoutExtension(m.File.Name), m.File.Length, m.File.LastWriteTimeUtc.Ticks)).ToList();
        // The whole-object SHA-256 the cloud checks before ingesting: one pass over the queued files, nothing written.
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long length;
        var buffer = ArrayPool<byte>.Shared.Rent(1024 * 1024);
        try
        {
            using var body = BatchBody.Open(QueueDirectory, boundary, recorded);
            length = body.Length;
            int read;
            while ((read = body.Read(buffer)) > 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                hash.AppendData(buffer, 0, read);
            }
        }
        catch (UploadRefusedException)
        {
            return null; // a member was replaced or removed while hashed: the next look builds the batch afresh
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        var batch = new SpoolBatch(id, study!, boundary, Convert.ToHexStringLower(hash.GetHashAndReset()), length, recorded, null);
        Save(batch);
        return batch;
    }

    private async Task<string?> StudyOfAsync(FileInfo file, Action<string> log, CancellationToken cancellationToken)
    {
        var modified = file.LastWriteTimeUtc.Ticks;
        if (_studies.TryGetValue(file.FullName, out var known) && known.Modified == modified)
            return known.Study;
        try
        {
            var header = await DicomFile.OpenAsync(file.FullName, DicomReadOptions.HeaderOnly, cancellationToken);
            // A missing Study Instance UID still travels (alone in its group): the cloud's refusal gives the reason.
            var study = header.Dataset.GetStringOrNull(DicomTag.StudyInstanceUID) ?? "";
            _studies[file.FullName] = (modified, study);
            if (_studies.Count > 100_000)
                _studies.Clear();
            return study;
        }
        catch (FileNotFoundException)
        {
            return null; // replaced or removed meanwhile
        }
        catch (DicomException ex)
        {
            var sop = Path.GetFileNameWithoutExtension(file.Name);
            log($"edge: {sop} cannot be read back from the spool ({ex.Message}); moved to failed/");
            Fail(sop, file.FullName, "the spooled file cannot be read back: " + ex.Message);
            DirectorySync.Flush(QueueDirectory);
            return null;
        }
    }

    /// <summary>
    /// Ends a batch the cloud answered: the confirmed instances are appended to done.log (fsynced) and only then
    /// removed from the queue; the refused ones move to failed/ with their reason; <paramref name="uncertain"/> ones
    /// stay queued. Files replaced since the batch was built stay queued too (they are sent again).
    /// </summary>
    public void Complete(SpoolBatch batch, IReadOnlyDictionary<string, string> refused, IReadOnlySet<string> uncertain, TimeProvider clock)
    {
        var confirmed = batch.Members.Where(m => !refused.ContainsKey(m.SopInstanceUid) && !uncertain.Contains(m.SopInstanceUid)).ToList();
        if (confirmed.Count > 0)
        {
            var now = clock.GetUtcNow().ToString("O", CultureInfo.InvariantCulture);
            var lines = new StringBuilder();
            foreach (var member in confirmed)
                lines.Append(CultureInfo.InvariantCulture, $"{now} {member.SopInstanceUid} {batch.StudyInstanceUid} {batch.Id}\n");
            lock (_doneGate)
            {
                using var log = new FileStream(DoneLog, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
                log.Write(Encoding.UTF8.GetBytes(lines.ToString()));
                log.Flush(flushToDisk: true);
            }
        }
        DirectorySync.Flush(Root);
        foreach (var (sop, reason) in refused)
            Fail(sop, QueuedPath(sop), reason);
        foreach (var member in confirmed)
        {
            var file = new FileInfo(QueuedPath(member.SopInstanceUid));
            if (file.Exists && file.Length == member.Length && file.LastWriteTimeUtc.Ticks == member.Modified)
                file.Delete();
        }
        DirectorySync.Flush(FailedDirectory);
        DirectorySync.Flush(QueueDirectory);
        Discard(batch);
    }

    /// <summary>Removes a batch's manifest, and its claim; its instances stay queued.</summary>
    public void Discard(SpoolBatch batch)
    {
        File.Delete(Path.Combine(BatchDirectory, batch.Id + ".json"));
        DirectorySync.Flush(BatchDirectory);
        lock (_claimed)
            _claimed.Remove(batch.Id);
    }

    private void Fail(string sop, string queuedPath, string reason)
    {
        DirectorySync.WriteAllBytes(Path.Combine(FailedDirectory, sop + ".reason"), Encoding.UTF8.GetBytes(reason + "\n"));
        if (File.Exists(queuedPath))
            File.Move(queuedPath, Path.Combine(FailedDirectory, sop + ".dcm"), overwrite: true);
    }
}
