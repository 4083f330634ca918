using OrleansImaging.Contracts.Studies;
using OrleansImaging.Dicom;
using OrleansImaging.Dicom.Codecs;
using OrleansImaging.Dicom.IO;
using OrleansImaging.Grains.Storage;

namespace OrleansImaging.Api.Dicomweb;

/// <summary>
/// Codec work for WADO-RS: a stored instance in another transfer syntax, or its frames decoded. Behind an interface
/// because the product's design puts codec work on the silos in <c>[StatelessWorker]</c> codec worker grains; in the
/// embedded default api and silo are one process and <see cref="WadoTranscoder"/> does the work in the api, but a
/// grain implementation can take its place without the endpoints changing.
/// </summary>
public interface IWadoTranscoder
{
    /// <summary>The transfer syntaxes an instance can be transcoded to (the codec facade's targets).</summary>
    IReadOnlyList<DicomTransferSyntax> Targets { get; }

    /// <summary>
    /// The stored object <paramref name="location"/> written in <paramref name="target"/>, in a temporary file that is
    /// deleted when the returned object is disposed.
    /// </summary>
    /// <exception cref="WadoTranscodeException">The object cannot be written in <paramref name="target"/> (the reason says why).</exception>
    Task<TranscodedInstance> TranscodeAsync(IBlobStore blobs, InstanceLocation location, DicomTransferSyntax target, CancellationToken cancellationToken);

    /// <summary>Every frame of the stored object <paramref name="location"/>, decoded to native little endian bytes.</summary>
    /// <exception cref="WadoTranscodeException">The pixel data cannot be decoded (the reason says why).</exception>
    Task<DicomDecodedImage> DecodeAsync(IBlobStore blobs, InstanceLocation location, CancellationToken cancellationToken);
}

/// <summary>A transcoded instance in a temporary file; disposing deletes it.</summary>
public sealed class TranscodedInstance : IAsyncDisposable
{
    private readonly string _directory;

    internal TranscodedInstance(string directory, string path, DicomTranscodeResult result)
    {
        _directory = directory;
        Path = path;
        Result = result;
    }

    /// <summary>The transcoded Part 10 file.</summary>
    public string Path { get; }

    /// <summary>What the codec wrote.</summary>
    public DicomTranscodeResult Result { get; }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        WadoTranscoder.DeleteQuietly(_directory);
        return ValueTask.CompletedTask;
    }
}

/// <summary>
/// A stored object cannot be served in the transfer syntax asked for. The message is for the client: it names the
/// syntax and the reason, never a file path.
/// </summary>
public sealed class WadoTranscodeException(string message, Exception? innerException = null) : Exception(message, innerException);

/// <summary>Where <see cref="WadoTranscoder"/> works and how much at once.</summary>
public sealed class WadoTranscoderOptions
{
    /// <summary>
    /// The folder for the temporary copies GDCM needs (it reads only files). Emptied when the transcoder starts, so
    /// nothing of a crashed request stays behind; each request works in its own owner-only subfolder.
    /// </summary>
    /// <value>A folder under the system temporary folder; the api host puts it under the data directory.</value>
    public string WorkDirectory { get; init; } = Path.Combine(Path.GetTempPath(), "orleans-imaging-wado");

    /// <summary>How many transcodes or decodes run at once in this process; more wait.</summary>
    /// <value><see cref="Environment.ProcessorCount"/>: codec work is CPU-bound.</value>
    public int MaxConcurrency { get; init; } = Environment.ProcessorCount;
}

/// <summary>
/// <see cref="IWadoTranscoder"/> in this process: copies the blob to an owner-only temporary file, runs the codec
/// facade on it, and deletes what it wrote, whatever happens. At most <see cref="WadoTranscoderOptions.MaxConcurrency"/>
/// run at once; a waiting request gives up when it is cancelled. Native objects asked for in Explicit VR Little
/// Endian are rewritten by our own writer without the codec (an SR or a waveform is no image, but a client asking for
/// explicit little endian still gets it).
/// </summary>
public sealed class WadoTranscoder : IWadoTranscoder, IDisposable
{
    private readonly IDicomCodec _codec;
    private readonly string _workDirectory;
    private readonly SemaphoreSlim _slots;
    private readonly ILogger<WadoTranscoder> _logger;

    /// <summary>Creates the transcoder and empties its work folder.</summary>
    public WadoTranscoder(IDicomCodec codec, WadoTranscoderOptions options, ILogger<WadoTranscoder> logger)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.MaxConcurrency, nameof(options));
        _codec = codec;
        _logger = logger;
        _workDirectory = Path.GetFullPath(options.WorkDirectory);
        _slots = new SemaphoreSlim(options.MaxConcurrency, options.MaxConcurrency);
        DeleteQuietly(_workDirectory);
        CreateOwnerOnlyDirectory(_workDirectory);
    }

    /// <inheritdoc />
    public IReadOnlyList<DicomTransferSyntax> Targets => DicomCodecs.TranscodeTargets;

    /// <inheritdoc />
    public async Task<TranscodedInstance> TranscodeAsync(IBlobStore blobs, InstanceLocation location, DicomTransferSyntax target, CancellationToken cancellationToken)
    {
        var stored = DicomTransferSyntax.Lookup(location.TransferSyntaxUid);
        var directory = NewRequestDirectory();
        try
        {
            await _slots.WaitAsync(cancellationToken);
            try
            {
                var source = await CopyBlobAsync(blobs, location, directory, cancellationToken);
                var output = Path.Combine(directory, "target.dcm");
                var result = !stored.IsEncapsulated && target.Equals(DicomTransferSyntax.ExplicitVRLittleEndian)
                    ? await RewriteNativeAsync(source, output, stored, cancellationToken)
                    : await _codec.TranscodeAsync(source, output, target, cancellationToken);
                File.Delete(source);
                return new TranscodedInstance(directory, output, result);
            }
            finally
            {
                _slots.Release();
            }
        }
        catch (Exception ex)
        {
            DeleteQuietly(directory);
            if (ex is DicomException)
                throw Refusal(ex, location, $"cannot be served in {target.Name}", directory);
            throw;
        }
    }

    /// <inheritdoc />
    public async Task<DicomDecodedImage> DecodeAsync(IBlobStore blobs, InstanceLocation location, CancellationToken cancellationToken)
    {
        var directory = NewRequestDirectory();
        try
        {
            await _slots.WaitAsync(cancellationToken);
            try
            {
                var source = await CopyBlobAsync(blobs, location, directory, cancellationToken);
                return await _codec.DecodeFramesAsync(source, cancellationToken);
            }
            finally
            {
                _slots.Release();
            }
        }
        catch (DicomException ex)
        {
            throw Refusal(ex, location, "cannot be decoded", directory);
        }
        finally
        {
            DeleteQuietly(directory);
        }
    }

    /// <summary>Deletes a file or folder, if it is there; a failure to clean up must not hide the request's outcome.</summary>
    internal static void DeleteQuietly(string path)
    {
        try
        {
            if (Directory.Exists(path))
                Directory.Delete(path, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Left for the next start, which empties the work folder.
        }
    }

    /// <inheritdoc />
    public void Dispose() => _slots.Dispose();

    private WadoTranscodeException Refusal(Exception ex, InstanceLocation location, string what, string directory)
    {
        // The codec's messages name the file it was given: our temporary path, which the client must not see.
        var reason = ex.Message.Replace(directory + Path.DirectorySeparatorChar, "", StringComparison.Ordinal)
            .Replace("'source.dcm'", "The stored object", StringComparison.Ordinal)
            .Replace("'target.dcm'", "The result", StringComparison.Ordinal);
        _logger.LogWarning("Instance {SopInstanceUid} {What}: {Reason}", location.SopInstanceUid, what, reason);
        return new WadoTranscodeException($"The instance {what} (transcoding failed): {reason}", ex);
    }

    private string NewRequestDirectory()
    {
        var directory = Path.Combine(_workDirectory, Guid.NewGuid().ToString("N"));
        CreateOwnerOnlyDirectory(directory);
        return directory;
    }

    private static void CreateOwnerOnlyDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
            Directory.CreateDirectory(path);
        else
            Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    private static async Task<string> CopyBlobAsync(IBlobStore blobs, InstanceLocation location, string directory, CancellationToken cancellationToken)
    {
        var path = Path.Combine(directory, "source.dcm");
        await using var blob = await blobs.OpenReadAsync(location.BlobKey, cancellationToken)
            ?? throw new InvalidOperationException("A catalogued object is missing from blob storage.");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Options = FileOptions.Asynchronous };
        if (!OperatingSystem.IsWindows())
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        await using var file = new FileStream(path, options);
        await blob.CopyToAsync(file, cancellationToken);
        return path;
    }

    /// <summary>Native to Explicit VR Little Endian needs no codec: our reader swaps, inflates or adds VRs, our writer writes.</summary>
    private static async Task<DicomTranscodeResult> RewriteNativeAsync(string source, string output, DicomTransferSyntax stored, CancellationToken cancellationToken)
    {
        var file = await DicomFile.OpenAsync(source, new DicomReadOptions { BulkDataThreshold = 64 * 1024 }, cancellationToken);
        await file.WithTransferSyntax(DicomTransferSyntax.ExplicitVRLittleEndian).SaveAsync(output, cancellationToken: cancellationToken);
        var lossy = string.Equals(file.Dataset.GetStringOrNull(DicomTag.LossyImageCompression)?.Trim(), "01", StringComparison.Ordinal);
        return new DicomTranscodeResult(stored, DicomTransferSyntax.ExplicitVRLittleEndian, new FileInfo(source).Length, new FileInfo(output).Length, lossy,
            file.Dataset.GetStringOrNull(DicomTag.PhotometricInterpretation) ?? "");
    }
}

/// <summary>Registration of WADO-RS transcoding in the api host.</summary>
public static class WadoTranscoderServiceCollectionExtensions
{
    /// <summary>
    /// Registers the codec facade and <see cref="IWadoTranscoder"/>, working in <c>transcode-tmp</c> under the host's
    /// data directory (patient data stays where the operator put it, not in a shared temporary folder).
    /// </summary>
    public static IServiceCollection AddWadoTranscoding(this IServiceCollection services)
    {
        services.AddSingleton<IDicomCodec>(_ => new DicomCodecs());
        services.AddSingleton(provider => new WadoTranscoderOptions
        {
            WorkDirectory = Path.Combine(provider.GetRequiredService<Hosting.ImagingHostOptions>().DataDirectory, "transcode-tmp"),
        });
        services.AddSingleton<IWadoTranscoder, WadoTranscoder>();
        return services;
    }
}
