using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using OrleansImaging.Api.Tests.Peers;
using OrleansImaging.Contracts.Callers;
using OrleansImaging.Dicom;
using OrleansImaging.Edge.Upload;

namespace OrleansImaging.Api.Tests.Uploads;

/// <summary>
/// The upload client (`./imaging upload`) against the real api process: the pydicom corpus's dicomdirtests folder found
/// through its DICOMDIR, a folder found by content, a run that resumes a half-sent upload from its journal, runs that
/// find everything already there, and a file the cloud refuses.
/// </summary>
/// <summary>One api process for the class (a start costs seconds on two cores); every test has its own tenant.</summary>
public sealed class UploadClientApiFixture : IAsyncLifetime
{
    private readonly string _data = Directory.CreateTempSubdirectory("imaging-upload-client-").FullName;

    public ApiProcess Api { get; private set; } = null!;

    public async Task InitializeAsync() => Api = await ApiProcess.StartAsync(_data);

    public async Task DisposeAsync()
    {
        await Api.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }
}

public sealed class UploadClientTests(UploadClientApiFixture fixture) : IClassFixture<UploadClientApiFixture>, IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("imaging-upload-work-").FullName;
    private readonly ApiProcess _api = fixture.Api;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Fact]
    public async Task Upload_DicomdirtestsFolder_EveryReferencedFileArrivesByteIdentical_SecondRunSendsNothing()
    {
        var token = await _api.CreateTenantAndTokenAsync("cd-upload", Scopes.DicomwebRead, Scopes.DicomwebWrite);
        using var http = _api.CreateClient(token);
        var folder = Path.Combine(PydicomCorpus.Root, "test_files", "dicomdirtests");
        var referenced = ReferencedByDicomdir(Path.Combine(folder, "DICOMDIR"));
        Assert.Equal(31, referenced.Count);
        var journal = Path.Combine(_work, "cd.journal");

        var first = await UploadCommand.UploadAsync(Options(folder, journal), http, TextWriter.Null, plainProgress: true, CancellationToken.None);

        Assert.Equal(31, first.Found);
        Assert.Empty(first.Rejected);
        Assert.Empty(first.Failed);
        Assert.Equal(31, first.Sent + first.AlreadyPresent);
        Assert.Equal(0, first.ExitCode);
        Assert.Equal(referenced.Sum(f => new FileInfo(f).Length), first.Bytes);
        foreach (var file in referenced)
            Assert.Equal(SHA256.HashData(await File.ReadAllBytesAsync(file)), SHA256.HashData(await RetrieveAsync(http, file)));
        var sops = referenced.Select(f => DicomFile.Parse(File.ReadAllBytes(f)).Dataset.Get<string>(DicomTag.SOPInstanceUID)).Distinct().Count();
        Assert.Equal(sops, await CountInstancesAsync(http));

        // The same journal: nothing is sent again.
        var again = await UploadCommand.UploadAsync(Options(folder, journal), http, TextWriter.Null, plainProgress: true, CancellationToken.None);
        Assert.Equal(31, again.SentEarlier);
        Assert.Equal(0, again.Sent + again.AlreadyPresent);
        // Another machine (a fresh journal): everything is reported as already in the cloud, nothing stored twice.
        var elsewhere = await UploadCommand.UploadAsync(Options(folder, Path.Combine(_work, "other.journal")), http, TextWriter.Null, plainProgress: true, CancellationToken.None);
        Assert.Equal(31, elsewhere.AlreadyPresent);
        Assert.Equal(sops, await CountInstancesAsync(http));
    }

    [Fact]
    public async Task Upload_FolderWithoutDicomdir_FindsDicomByContentNotByExtension()
    {
        var token = await _api.CreateTenantAndTokenAsync("by-content", Scopes.DicomwebRead, Scopes.DicomwebWrite);
        using var http = _api.CreateClient(token);
        var folder = Directory.CreateDirectory(Path.Combine(_work, "content")).FullName;
        Directory.CreateDirectory(Path.Combine(folder, "sub"));
        File.Copy(PydicomCorpus.TestFile("CT_small.dcm"), Path.Combine(folder, "IM000001"));
        File.Copy(PydicomCorpus.TestFile("MR_small.dcm"), Path.Combine(folder, "sub", "image.bin"));
        File.WriteAllText(Path.Combine(folder, "notes.dcm"), "a text file with a DICOM extension");
        File.WriteAllBytes(Path.Combine(folder, "photo.dcm"), [0xFF, 0xD8, 0xFF, 0xE0, .. new byte[200]]);
        File.Copy(Path.Combine(PydicomCorpus.Root, "test_files", "dicomdirtests", "DICOMDIR-empty.dcm"), Path.Combine(folder, "index"));

        var summary = await UploadCommand.UploadAsync(Options(folder, Path.Combine(_work, "content.journal")), http, TextWriter.Null, plainProgress: true, CancellationToken.None);

        Assert.Equal(2, summary.Found);
        Assert.Equal(2, summary.Sent);
        Assert.Equal(2, await CountInstancesAsync(http));
    }

    [Fact]
    public async Task Upload_JournalNamesAHalfSentUpload_ResumesFromTheCommittedOffset()
    {
        var token = await _api.CreateTenantAndTokenAsync("resume-client", Scopes.DicomwebRead, Scopes.DicomwebWrite);
        using var http = _api.CreateClient(token);
        var folder = Directory.CreateDirectory(Path.Combine(_work, "half")).FullName;
        var instance = SyntheticCt.Series(1, size: 256)[0];
        var path = Path.Combine(folder, "IM1");
        await File.WriteAllBytesAsync(path, instance.Bytes);
        var sha = Convert.ToHexStringLower(SHA256.HashData(instance.Bytes));
        // An earlier run created the upload and got 60,000 bytes across before it was stopped.
        using var request = TusTestClient.Create(instance.Bytes);
        request.RequestUri = new Uri("uploads", UriKind.Relative);
        using var create = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Created, create.StatusCode);
        var location = new Uri(http.BaseAddress!, create.Headers.Location!);
        using var patch = await http.SendAsync(TusTestClient.Patch(location.AbsoluteUri, 0, instance.Bytes[..60_000]));
        Assert.Equal(HttpStatusCode.NoContent, patch.StatusCode);
        var journal = Path.Combine(_work, "half.journal");
        var file = new FileInfo(path);
        await File.WriteAllTextAsync(journal, JsonSerializer.Serialize(new JournalEntry(file.FullName, file.Length, file.LastWriteTimeUtc.Ticks, sha, location.AbsoluteUri, "started")) + "\n");

        var summary = await UploadCommand.UploadAsync(Options(folder, journal), http, TextWriter.Null, plainProgress: true, CancellationToken.None);

        Assert.Equal(1, summary.Sent);
        Assert.Equal(instance.Bytes.Length, summary.Bytes); // progress counts from the committed offset, once
        Assert.Equal(SHA256.HashData(instance.Bytes), SHA256.HashData(await RetrieveAsync(http, path)));
        using var status = JsonDocument.Parse(await http.GetStringAsync(location));
        Assert.Equal("ingested", status.RootElement.GetProperty("status").GetString()); // the same upload, not a new one
    }

    [Fact]
    public async Task Upload_FileWithoutSopInstanceUid_RejectedWithReason_ExitCode3()
    {
        var token = await _api.CreateTenantAndTokenAsync("reject-client", Scopes.DicomwebRead, Scopes.DicomwebWrite);
        using var http = _api.CreateClient(token);
        var folder = Directory.CreateDirectory(Path.Combine(_work, "reject")).FullName;
        var file = DicomFile.Parse(SyntheticCt.Series(1)[0].Bytes);
        file.Dataset.Remove(DicomTag.SOPInstanceUID);
        await file.SaveAsync(Path.Combine(folder, "broken"));
        File.Copy(PydicomCorpus.TestFile("CT_small.dcm"), Path.Combine(folder, "good"));

        var summary = await UploadCommand.UploadAsync(Options(folder, Path.Combine(_work, "reject.journal")), http, TextWriter.Null, plainProgress: true, CancellationToken.None);

        Assert.Equal(1, summary.Sent);
        var (path, reason) = Assert.Single(summary.Rejected);
        Assert.EndsWith("broken", path, StringComparison.Ordinal);
        Assert.Contains("does not match", reason, StringComparison.Ordinal);
        Assert.Equal(3, summary.ExitCode);
    }

    [Fact]
    public async Task Upload_TokenNotAccepted_RunStopsWithAClearErrorAndJournalsNoFileAsRejected()
    {
        await _api.CreateTenantAndTokenAsync("wrong-token", Scopes.DicomwebRead);
        var readOnly = await _api.CreateTenantAndTokenAsync("read-only-upload", Scopes.DicomwebRead);
        var folder = Directory.CreateDirectory(Path.Combine(_work, "token")).FullName;
        File.Copy(PydicomCorpus.TestFile("CT_small.dcm"), Path.Combine(folder, "IM1"));
        var journal = Path.Combine(_work, "token.journal");

        foreach (var (bearer, expected) in new[] { ("oit_" + new string('0', 32) + "_" + new string('A', 43), "401"), (readOnly, "403") })
        {
            using var http = _api.CreateClient(bearer);
            var error = await Assert.ThrowsAsync<UploadAbortedException>(() =>
                UploadCommand.UploadAsync(Options(folder, journal), http, TextWriter.Null, plainProgress: true, CancellationToken.None));
            Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        }
        Assert.DoesNotContain("rejected", await File.ReadAllTextAsync(journal), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("folder")]
    [InlineData("folder --cloud ftp://x/ --token t")]
    [InlineData("folder --cloud https://x/ --token t --parallel 0")]
    [InlineData("folder --cloud https://x/ --token t --chunk-mb x")]
    [InlineData("folder --cloud https://x/ --token t --bogus")]
    [InlineData("folder --cloud https://x/ --token")]
    [InlineData("a b --cloud https://x/ --token t")]
    public void Parse_BadArguments_NullWithAReason(string commandLine)
    {
        var previous = Environment.GetEnvironmentVariable("IMAGING_TOKEN");
        Environment.SetEnvironmentVariable("IMAGING_TOKEN", null);
        try
        {
            Assert.Null(UploadCommand.Parse(commandLine.Split(' ', StringSplitOptions.RemoveEmptyEntries), out var error));
            Assert.False(string.IsNullOrWhiteSpace(error));
        }
        finally
        {
            Environment.SetEnvironmentVariable("IMAGING_TOKEN", previous);
        }
    }

    private UploadOptions Options(string source, string journal) =>
        new(source, _api.BaseAddress, "unused: the client carries the token", null, journal, ChunkBytes: 64 * 1024, Parallel: 3, MaxAttempts: 3, BytesPerSecond: null);

    private static List<string> ReferencedByDicomdir(string dicomdir)
    {
        var root = Path.GetDirectoryName(dicomdir)!;
        var directory = DicomFile.Parse(File.ReadAllBytes(dicomdir));
        return [.. directory.Dataset.GetSequenceOrDefault(DicomTag.DirectoryRecordSequence)!.Items
            .Select(r => r.GetValues<string>(DicomTag.ReferencedFileID))
            .Where(ids => ids.Length > 0)
            .Select(ids => Path.Combine([root, .. ids]))];
    }

    private static async Task<int> CountInstancesAsync(HttpClient http)
    {
        using var json = JsonDocument.Parse(await http.GetStringAsync("dicomweb/instances?limit=1000"));
        return json.RootElement.GetArrayLength();
    }

    private static async Task<byte[]> RetrieveAsync(HttpClient http, string path)
    {
        var file = DicomFile.Parse(File.ReadAllBytes(path));
        var url = $"dicomweb/studies/{file.Dataset.Get<string>(DicomTag.StudyInstanceUID)}/series/{file.Dataset.Get<string>(DicomTag.SeriesInstanceUID)}/instances/{file.Dataset.Get<string>(DicomTag.SOPInstanceUID)}";
        using var response = await http.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var parts = MultipartRelated.Parse(response.Content.Headers.ContentType!.ToString(), await response.Content.ReadAsByteArrayAsync());
        return Assert.Single(parts).Body;
    }
}
