using Microsoft.Extensions.Logging.Abstractions;
using OrleansImaging.Api.Dicomweb;
using OrleansImaging.Api.Tests.Peers;
using OrleansImaging.Contracts.Studies;
using OrleansImaging.Dicom;
using OrleansImaging.Dicom.Codecs;
using OrleansImaging.Grains.Storage;

namespace OrleansImaging.Api.Tests.Dicomweb;

/// <summary>
/// The transcoder's own duties, with the real codec facade and a real folder blob store: bounded concurrency,
/// cancellation while waiting, owner-only temporary files that never outlive a request, and errors without paths.
/// </summary>
public sealed class WadoTranscoderTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("wado-transcoder-").FullName;
    private readonly FileSystemBlobStore _blobs;

    public WadoTranscoderTests() => _blobs = new FileSystemBlobStore(new FileSystemBlobStoreOptions { RootPath = Path.Combine(_root, "blobs") });

    private string WorkDirectory => Path.Combine(_root, "work");

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Constructor_LeftoversOfACrash_WorkFolderEmptiedAndOwnerOnly()
    {
        Directory.CreateDirectory(Path.Combine(WorkDirectory, "left-by-a-crash"));
        File.WriteAllText(Path.Combine(WorkDirectory, "left-by-a-crash", "source.dcm"), "patient data");

        using var transcoder = Create(new DicomCodecs(), 1);

        Assert.Empty(Directory.EnumerateFileSystemEntries(WorkDirectory));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, ModeOf(WorkDirectory));
    }

    [Fact]
    public async Task TranscodeAsync_Disposed_TemporaryFilesGone()
    {
        using var transcoder = Create(new DicomCodecs(), 1);
        var location = await StoreAsync("MR_small.dcm");

        var transcoded = await transcoder.TranscodeAsync(_blobs, location, DicomTransferSyntax.JpegLSLossless, CancellationToken.None);

        Assert.Equal(DicomTransferSyntax.JpegLSLossless, DicomFile.Open(transcoded.Path).TransferSyntax);
        var folder = Path.GetDirectoryName(transcoded.Path)!;
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, ModeOf(folder));
        Assert.Equal(["target.dcm"], Directory.EnumerateFiles(folder).Select(Path.GetFileName));
        await transcoded.DisposeAsync();
        Assert.Empty(Directory.EnumerateFileSystemEntries(WorkDirectory));
    }

    [Fact]
    public async Task TranscodeAsync_Refused_MessageWithoutPathsAndNothingLeft()
    {
        using var transcoder = Create(new DicomCodecs(), 1);
        var location = await StoreAsync("MR_small.dcm");

        var exception = await Assert.ThrowsAsync<WadoTranscodeException>(() =>
            transcoder.TranscodeAsync(_blobs, location, DicomTransferSyntax.JpegBaseline, CancellationToken.None));

        Assert.StartsWith("The instance cannot be served in JPEG Baseline (Process 1) (transcoding failed): The stored object cannot be transcoded", exception.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(_root, exception.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(WorkDirectory));
    }

    [Fact]
    public async Task DecodeAsync_AllSlotsBusy_WaitsAndGivesUpWhenCancelled()
    {
        var codec = new GatedCodec();
        using var transcoder = Create(codec, 1);
        var location = await StoreAsync("MR_small_jpeg_ls_lossless.dcm");

        var first = transcoder.DecodeAsync(_blobs, location, CancellationToken.None);
        await codec.Entered.Task.WaitAsync(TimeSpan.FromSeconds(30));
        using var cancellation = new CancellationTokenSource();
        var second = transcoder.DecodeAsync(_blobs, location, cancellation.Token);
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => second);
        Assert.Equal(1, codec.Calls); // the second never reached the codec
        codec.Release.SetResult();
        var decoded = await first;
        Assert.Equal(64 * 64 * 2, Assert.Single(decoded.Frames).Length);
        Assert.Empty(Directory.EnumerateFileSystemEntries(WorkDirectory));
    }

    [Fact]
    public async Task DecodeAsync_TwoSlots_TwoRunAtOnce()
    {
        var codec = new GatedCodec { ExpectedConcurrent = 2 };
        using var transcoder = Create(codec, 2);
        var location = await StoreAsync("MR_small_jpeg_ls_lossless.dcm");

        var first = transcoder.DecodeAsync(_blobs, location, CancellationToken.None);
        var second = transcoder.DecodeAsync(_blobs, location, CancellationToken.None);
        await codec.Entered.Task.WaitAsync(TimeSpan.FromSeconds(30)); // set only once both are inside the codec together
        codec.Release.SetResult();

        await Task.WhenAll(first, second);
        Assert.Equal(2, codec.Calls);
    }

    private static UnixFileMode ModeOf(string path) =>
        OperatingSystem.IsWindows() ? throw new PlatformNotSupportedException("Unix permissions only") : File.GetUnixFileMode(path);

    private WadoTranscoder Create(IDicomCodec codec, int slots) =>
        new(codec, new WadoTranscoderOptions { WorkDirectory = WorkDirectory, MaxConcurrency = slots }, NullLogger<WadoTranscoder>.Instance);

    private async Task<InstanceLocation> StoreAsync(string name)
    {
        var key = "objects/" + Guid.NewGuid().ToString("N");
        await using (var file = File.OpenRead(PydicomCorpus.TestFile(name)))
            await _blobs.PutAsync(key, file);
        var syntax = DicomFile.Open(PydicomCorpus.TestFile(name), Dicom.IO.DicomReadOptions.HeaderOnly).TransferSyntax.Uid;
        return new InstanceLocation("1.2", "1.2.3", "1.2.840.10008.5.1.4.1.1.4", syntax, key, new FileInfo(PydicomCorpus.TestFile(name)).Length, "");
    }

    /// <summary>The real facade behind a gate: decoding waits until the test opens it.</summary>
    private sealed class GatedCodec : IDicomCodec
    {
        private readonly DicomCodecs _inner = new();
        private int _inside;
        private int _calls;

        public int ExpectedConcurrent { get; init; } = 1;

        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Calls => _calls;

        public async Task<DicomDecodedImage> DecodeFramesAsync(string path, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _calls);
            if (Interlocked.Increment(ref _inside) == ExpectedConcurrent)
                Entered.TrySetResult();
            await Release.Task.WaitAsync(cancellationToken);
            Interlocked.Decrement(ref _inside);
            return await _inner.DecodeFramesAsync(path, cancellationToken);
        }

        public Task<DicomTranscodeResult> TranscodeAsync(string sourcePath, string targetPath, DicomTransferSyntax target, CancellationToken cancellationToken = default) =>
            _inner.TranscodeAsync(sourcePath, targetPath, target, cancellationToken);
    }
}
