using Microsoft.AspNetCore.Http.HttpResults;
using OrleansImaging.Api.Dicomweb;
using OrleansImaging.Contracts;
using OrleansImaging.Contracts.Errors;
using OrleansImaging.Contracts.Studies;
using OrleansImaging.Dicom;
using OrleansImaging.Dicom.IO;
using OrleansImaging.Grains.Storage;

namespace OrleansImaging.Api.Apis;

/// <summary>
/// WADO-RS (PS3.18 10.4) under <c>/dicomweb</c>: metadata from the study grain's catalogue; studies, series and
/// instances as stored, streamed from blob storage; bulk data and frames as ranges of the stored object, located by
/// reading its header (<see cref="DicomStoredObject"/>). The study grain decides from the caller on every request
/// (another hospital's study answers 404 exactly like a missing one, before any codec work); the api only translates.
/// An instance asked for in another transfer syntax (<c>transfer-syntax=</c> in Accept, PS3.18 8.7.3) is transcoded by
/// the <see cref="IWadoTranscoder"/>, and frames of compressed or deflated instances asked for in Explicit VR Little
/// Endian are decoded, once per request. Studies and series are served only as stored: another syntax is 406.
/// </summary>
public static class DicomwebRetrieveApi
{
    private const string DicomJson = "application/dicom+json";
    private const string ApplicationDicom = "application/dicom";
    private const string OctetStream = "application/octet-stream";
    private const string ExplicitVRLittleEndian = "1.2.840.10008.1.2.1";

    /// <summary>Maps the WADO-RS resources.</summary>
    public static RouteGroupBuilder MapDicomwebRetrieveApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/dicomweb").RequireAuthorization();
        group.MapGet("/studies/{study}/metadata", (HttpContext http, IGrainFactory grains, string study) => MetadataAsync(http, grains, study, null));
        group.MapGet("/studies/{study}/series/{series}/metadata",
            (HttpContext http, IGrainFactory grains, string study, string series) => MetadataAsync(http, grains, study, series));
        group.MapGet("/studies/{study}/series/{series}/instances/{instance}/metadata", InstanceMetadataAsync);
        group.MapGet("/studies/{study}",
            (HttpContext http, IGrainFactory grains, IBlobStore blobs, string study) => RetrieveAsync(http, grains, blobs, study, null, null));
        group.MapGet("/studies/{study}/series/{series}",
            (HttpContext http, IGrainFactory grains, IBlobStore blobs, string study, string series) => RetrieveAsync(http, grains, blobs, study, series, null));
        group.MapGet("/studies/{study}/series/{series}/instances/{instance}",
            (HttpContext http, IGrainFactory grains, IBlobStore blobs, string study, string series, string instance) => RetrieveAsync(http, grains, blobs, study, series, instance));
        group.MapGet("/studies/{study}/series/{series}/instances/{instance}/bulk/{**path}", BulkDataAsync);
        group.MapGet("/studies/{study}/series/{series}/instances/{instance}/frames/{frames}", FramesAsync);
        return group;
    }

    /// <summary>The metadata of every instance of a study or series, as a DICOM JSON array.</summary>
    public static async Task<Results<FileContentHttpResult, NotFound, UnauthorizedHttpResult>> MetadataAsync(
        HttpContext http, IGrainFactory grains, string study, string? series)
    {
        if (Authentication.ApiCallers.FromPrincipal(http.User) is not { TenantId.Length: > 0 } caller)
        {
            return TypedResults.Unauthorized();
        }
        if (!GrainKeys.IsValidUid(study) || (series is not null && !GrainKeys.IsValidUid(series)))
        {
            return TypedResults.NotFound();
        }
        var json = await grains.GetGrain<IStudyGrain>(GrainKeys.Study(caller.TenantId, study)).GetMetadataAsync(series);
        return TypedResults.File(json, DicomJson);
    }

    /// <summary>
    /// The metadata of one instance, as a DICOM JSON array of one object. The catalogue serves metadata per series, so
    /// this picks the instance out of its series' array (the study grain has already said the instance exists).
    /// </summary>
    public static async Task<Results<FileContentHttpResult, ProblemHttpResult, UnauthorizedHttpResult>> InstanceMetadataAsync(
        HttpContext http, IGrainFactory grains, string study, string series, string instance)
    {
        if (Authentication.ApiCallers.FromPrincipal(http.User) is not { TenantId.Length: > 0 } caller)
        {
            return TypedResults.Unauthorized();
        }
        if (!AreUids(study, series, instance))
        {
            return NotFound();
        }
        var grain = grains.GetGrain<IStudyGrain>(GrainKeys.Study(caller.TenantId, study));
        await grain.GetInstanceAsync(series, instance);
        using var document = System.Text.Json.JsonDocument.Parse(await grain.GetMetadataAsync(series));
        foreach (var item in document.RootElement.EnumerateArray())
        {
            if (item.TryGetProperty("00080018", out var sop) && sop.TryGetProperty("Value", out var values)
                && values.GetArrayLength() > 0 && values[0].ValueKind == System.Text.Json.JsonValueKind.String && values[0].GetString() == instance)
            {
                return TypedResults.File(System.Text.Encoding.UTF8.GetBytes("[" + item.GetRawText() + "]"), DicomJson);
            }
        }
        return NotFound("Instance not found.");
    }

    /// <summary>
    /// A study, series or instance as <c>multipart/related; type="application/dicom"</c>, each part the stored object
    /// byte for byte with <c>transfer-syntax=</c> its stored syntax; an instance transcoded when the client asks for a
    /// syntax it is not stored in and the transcoder can write.
    /// </summary>
    public static async Task<Results<MultipartRelatedResult, TranscodedPartsResult, ProblemHttpResult, UnauthorizedHttpResult>> RetrieveAsync(
        HttpContext http, IGrainFactory grains, IBlobStore blobs, string study, string? series, string? instance)
    {
        if (Authentication.ApiCallers.FromPrincipal(http.User) is not { TenantId.Length: > 0 } caller)
        {
            return TypedResults.Unauthorized();
        }
        if (!AreUids(study, series, instance))
        {
            return NotFound();
        }
        var grain = grains.GetGrain<IStudyGrain>(GrainKeys.Study(caller.TenantId, study));
        IReadOnlyList<InstanceLocation> instances;
        try
        {
            instances = instance is not null ? [await grain.GetInstanceAsync(series!, instance)] : await grain.GetInstancesAsync(series);
        }
        catch (ImagingException ex) when (ex.Code == ErrorCodes.NotFound)
        {
            return NotFound(ex.Message);
        }
        if (instances.Count == 0)
        {
            return NotFound();
        }
        var syntaxes = instances.Select(i => i.TransferSyntaxUid).Distinct(StringComparer.Ordinal).ToList();
        // Transcoding is offered for one instance: a study's worth would fail or succeed part by part mid-response.
        var transcoder = instance is not null ? http.RequestServices.GetService<IWadoTranscoder>() : null;
        // A syntax whose transcode fails (JPEG baseline of a 16-bit image) is struck off and the client's next choice
        // tried, as if it had not been offered: PS3.18 8.7 asks for the best acceptable representation that can be made.
        var failed = new HashSet<string>(StringComparer.Ordinal);
        string? failure = null;
        while (true)
        {
            var outcome = RetrieveNegotiation.Negotiate(http.Request.Headers.Accept, ApplicationDicom, singlePartAllowed: false,
                syntax => syntaxes.Count == 1 && syntaxes[0] == syntax, string.Join(", ", syntaxes),
                transcoder is null ? null : syntax => !failed.Contains(syntax) && transcoder.Targets.Any(t => t.Uid == syntax));
            if (outcome.Form is null)
            {
                return NotAcceptable(failure ?? outcome.Refusal!);
            }
            if (outcome.TranscodeTo is not { } target)
            {
                break;
            }
            try
            {
                var transcoded = await transcoder!.TranscodeAsync(blobs, instances[0], DicomTransferSyntax.Lookup(target), http.RequestAborted);
                return new TranscodedPartsResult(ApplicationDicom, [new TranscodedPart($"{ApplicationDicom}; transfer-syntax={target}", transcoded.Path, default)], transcoded);
            }
            catch (WadoTranscodeException ex)
            {
                failed.Add(target);
                failure = ex.Message + " Ask for transfer-syntax=* to get it as stored.";
            }
        }
        return new MultipartRelatedResult(blobs, ApplicationDicom,
            instances.Select(i => BlobPart.Whole($"{ApplicationDicom}; transfer-syntax={i.TransferSyntaxUid}", i.BlobKey, i.Size)));
    }

    /// <summary>
    /// One bulk data value, named by its path as in the metadata's BulkDataURIs (<c>7FE00010</c>,
    /// <c>00540016/0/00181072</c>): <c>multipart/related; type="application/octet-stream"</c> by default, single-part
    /// <c>application/octet-stream</c> when only that is acceptable. Encapsulated Pixel Data is one part per frame,
    /// each frame's fragments concatenated, as stored.
    /// </summary>
    public static async Task<Results<MultipartRelatedResult, SinglePartResult, ProblemHttpResult, UnauthorizedHttpResult>> BulkDataAsync(
        HttpContext http, IGrainFactory grains, IBlobStore blobs, string study, string series, string instance, string? path)
    {
        if (Authentication.ApiCallers.FromPrincipal(http.User) is not { TenantId.Length: > 0 } caller)
        {
            return TypedResults.Unauthorized();
        }
        if (!AreUids(study, series, instance))
        {
            return NotFound();
        }
        if (await LocateAsync(grains, caller.TenantId, study, series, instance) is not { } location)
        {
            return NotFound(InstanceNotFound);
        }
        if (!DicomBulkDataPath.TryParse(path, out var bulkPath))
        {
            return NotFound("The instance has no bulk data at that path; paths are tags and item indexes as in the metadata's BulkDataURIs.");
        }
        var syntax = DicomTransferSyntax.Lookup(location.TransferSyntaxUid);
        if (syntax.IsDeflated && bulkPath.TopLevelTag.Group >= 0x7FE0)
        {
            return NotAcceptable($"The instance is stored {syntax.Name}; its pixel data is served only by retrieving the instance until transcoding is supported.");
        }
        var stored = await ReadStoredAsync(blobs, location, bulkPath.TopLevelTag, http.RequestAborted);
        var pixelData = bulkPath.Sequences.Count == 0 && stored.PixelData is { } p && p.Tag == bulkPath.Tag;
        IReadOnlyList<BlobPart> parts;
        Func<string, bool> canServe;
        switch (stored.Find(bulkPath))
        {
            case DicomFragmentSequence when pixelData:
                if (!TryGetFrames(stored, out var frames, out var why))
                {
                    return NotAcceptable(why);
                }
                var framePart = $"{OctetStream}; transfer-syntax={location.TransferSyntaxUid}";
                parts = [.. frames.Select(f => BlobPart.Located(framePart, location.BlobKey, f))];
                canServe = s => s == location.TransferSyntaxUid;
                break;
            case DicomElement element:
                // Native values are little endian whatever the stored syntax (the reader swaps big endian ones).
                var contentType = pixelData ? $"{OctetStream}; transfer-syntax={ExplicitVRLittleEndian}" : OctetStream;
                parts = [BlobPart.Located(contentType, location.BlobKey, DicomStoredObject.Locate(element))];
                canServe = s => s == ExplicitVRLittleEndian || (s == location.TransferSyntaxUid && !syntax.IsBigEndian);
                break;
            default:
                return NotFound("The instance has no bulk data at that path.");
        }
        var outcome = RetrieveNegotiation.Negotiate(http.Request.Headers.Accept, OctetStream, singlePartAllowed: true, canServe, location.TransferSyntaxUid);
        switch (outcome.Form)
        {
            case null:
                return NotAcceptable(outcome.Refusal!);
            case RetrieveForm.SinglePart when parts.Count != 1:
                return NotAcceptable($"The encapsulated pixel data has {parts.Count} frames, one part each; ask for multipart/related; type=\"{OctetStream}\".");
            case RetrieveForm.SinglePart:
                return new SinglePartResult(blobs, parts[0]);
            default:
                return new MultipartRelatedResult(blobs, OctetStream, parts);
        }
    }

    /// <summary>
    /// Frames of an instance's pixel data, in the order asked, as <c>multipart/related; type="application/octet-stream"</c>:
    /// native frames as their slice of Pixel Data (explicit VR little endian), encapsulated frames as their fragments
    /// concatenated, with the stored transfer syntax on each part; encapsulated or deflated frames decoded to explicit
    /// VR little endian when the client asks for <c>transfer-syntax=1.2.840.10008.1.2.1</c> (the whole pixel data is
    /// decoded once, however many frames are asked).
    /// </summary>
    public static async Task<Results<MultipartRelatedResult, TranscodedPartsResult, ProblemHttpResult, UnauthorizedHttpResult>> FramesAsync(
        HttpContext http, IGrainFactory grains, IBlobStore blobs, string study, string series, string instance, string frames)
    {
        if (Authentication.ApiCallers.FromPrincipal(http.User) is not { TenantId.Length: > 0 } caller)
        {
            return TypedResults.Unauthorized();
        }
        if (!AreUids(study, series, instance))
        {
            return NotFound();
        }
        if (!FrameNumbers.TryParse(frames, out var numbers, out var problem))
        {
            return TypedResults.Problem(problem, statusCode: StatusCodes.Status400BadRequest);
        }
        if (await LocateAsync(grains, caller.TenantId, study, series, instance) is not { } location)
        {
            return NotFound(InstanceNotFound);
        }
        var syntax = DicomTransferSyntax.Lookup(location.TransferSyntaxUid);
        var transcoder = http.RequestServices.GetService<IWadoTranscoder>();
        Func<string, bool>? decodable = transcoder is null ? null : s => s == ExplicitVRLittleEndian;
        if (syntax.IsDeflated)
        {
            // Offsets into a deflated stream mean nothing: its frames exist only decoded.
            var decodedOutcome = RetrieveNegotiation.Negotiate(http.Request.Headers.Accept, OctetStream, singlePartAllowed: false, _ => false, location.TransferSyntaxUid, decodable);
            if (decodedOutcome.TranscodeTo is null)
            {
                return NotAcceptable($"The instance is stored {syntax.Name}; its frames are served only decoded: ask for multipart/related; type=\"{OctetStream}\"; transfer-syntax={ExplicitVRLittleEndian}.");
            }
            return await DecodedFramesAsync(http, transcoder!, blobs, location, numbers);
        }
        var stored = await ReadStoredAsync(blobs, location, DicomTag.PixelData, http.RequestAborted);
        if (!stored.HasPixelData)
        {
            return NotFound("The instance has no pixel data, so it has no frames.");
        }
        var outcome = RetrieveNegotiation.Negotiate(http.Request.Headers.Accept, OctetStream, singlePartAllowed: false,
            s => stored.IsEncapsulated ? s == location.TransferSyntaxUid : s == ExplicitVRLittleEndian || (s == location.TransferSyntaxUid && !syntax.IsBigEndian),
            location.TransferSyntaxUid, stored.IsEncapsulated ? decodable : null);
        var partType = OctetStream;
        // Compressed frames as stored may also be asked for by their own media type (PS3.18 8.7.3, e.g.
        // multipart/related; type="image/jls"); octet-stream stays the answer when both would do.
        if (outcome.Form is null && stored.IsEncapsulated && CompressedFrameMediaType(location.TransferSyntaxUid) is { } imageType)
        {
            var imageOutcome = RetrieveNegotiation.Negotiate(http.Request.Headers.Accept, imageType, singlePartAllowed: false,
                s => s == location.TransferSyntaxUid, location.TransferSyntaxUid);
            if (imageOutcome.Form is not null)
            {
                (outcome, partType) = (imageOutcome, imageType);
            }
        }
        if (outcome.Form is null)
        {
            return NotAcceptable(outcome.Refusal!);
        }
        if (outcome.TranscodeTo is not null)
        {
            return await DecodedFramesAsync(http, transcoder!, blobs, location, numbers);
        }
        if (!TryGetFrames(stored, out var all, out var why))
        {
            return NotAcceptable(why);
        }
        if (numbers.FirstOrDefault(n => n > all.Count) is var missing and > 0)
        {
            return NotFound($"Frame {missing} does not exist; the instance has {all.Count} frame{(all.Count == 1 ? "" : "s")}.");
        }
        var contentType = $"{partType}; transfer-syntax={(stored.IsEncapsulated ? location.TransferSyntaxUid : ExplicitVRLittleEndian)}";
        return new MultipartRelatedResult(blobs, partType, numbers.Select(n => BlobPart.Located(contentType, location.BlobKey, all[n - 1])));
    }

    /// <summary>The media type of a compressed frame in PS3.18 Table 8.7.3-5, or null for syntaxes without one here.</summary>
    private static string? CompressedFrameMediaType(string transferSyntaxUid) => transferSyntaxUid switch
    {
        "1.2.840.10008.1.2.4.50" or "1.2.840.10008.1.2.4.51" or "1.2.840.10008.1.2.4.57" or "1.2.840.10008.1.2.4.70" => "image/jpeg",
        "1.2.840.10008.1.2.4.80" or "1.2.840.10008.1.2.4.81" => "image/jls",
        "1.2.840.10008.1.2.4.90" or "1.2.840.10008.1.2.4.91" => "image/jp2",
        "1.2.840.10008.1.2.4.92" or "1.2.840.10008.1.2.4.93" => "image/jpx",
        "1.2.840.10008.1.2.5" => "image/dicom-rle",
        _ => null,
    };

    /// <summary>The frames asked for, decoded to explicit VR little endian: the pixel data is decoded once for all of them.</summary>
    private static async Task<Results<MultipartRelatedResult, TranscodedPartsResult, ProblemHttpResult, UnauthorizedHttpResult>> DecodedFramesAsync(
        HttpContext http, IWadoTranscoder transcoder, IBlobStore blobs, InstanceLocation location, IReadOnlyList<int> numbers)
    {
        Dicom.Codecs.DicomDecodedImage decoded;
        try
        {
            decoded = await transcoder.DecodeAsync(blobs, location, http.RequestAborted);
        }
        catch (WadoTranscodeException ex)
        {
            return NotAcceptable(ex.Message + " Ask for transfer-syntax=* to get the frames as stored.");
        }
        if (numbers.FirstOrDefault(n => n > decoded.Frames.Count) is var missing and > 0)
        {
            return NotFound($"Frame {missing} does not exist; the instance has {decoded.Frames.Count} frame{(decoded.Frames.Count == 1 ? "" : "s")}.");
        }
        var contentType = $"{OctetStream}; transfer-syntax={ExplicitVRLittleEndian}";
        return new TranscodedPartsResult(OctetStream, [.. numbers.Select(n => new TranscodedPart(contentType, null, decoded.Frames[n - 1]))], null);
    }

    private const string InstanceNotFound = "Instance not found.";

    /// <summary>
    /// The instance's location, or null when the caller's tenant has no such instance (another tenant's is the same).
    /// Answered here rather than by the exception middleware, whose problem writer cannot answer a client whose Accept
    /// names only multipart or octet-stream types, and would turn the 404 into a 500.
    /// </summary>
    private static async Task<InstanceLocation?> LocateAsync(IGrainFactory grains, string tenantId, string study, string series, string instance)
    {
        try
        {
            return await grains.GetGrain<IStudyGrain>(GrainKeys.Study(tenantId, study)).GetInstanceAsync(series, instance);
        }
        catch (ImagingException ex) when (ex.Code == ErrorCodes.NotFound)
        {
            return null;
        }
    }

    private static async Task<DicomStoredObject> ReadStoredAsync(IBlobStore blobs, InstanceLocation location, DicomTag through, CancellationToken cancellationToken)
    {
        await using var stream = await blobs.OpenReadAsync(location.BlobKey, cancellationToken)
            ?? throw new InvalidOperationException("A catalogued object is missing from blob storage.");
        try
        {
            return await DicomStoredObject.ReadAsync(stream, through, cancellationToken);
        }
        catch (DicomException ex)
        {
            // STOW-RS accepted it, so the stored object is ours to answer for: a server fault, not a bad request.
            throw new InvalidOperationException("A stored object cannot be read.", ex);
        }
    }

    private static bool TryGetFrames(DicomStoredObject stored, out IReadOnlyList<DicomValueLocation> frames, out string why)
    {
        try
        {
            frames = stored.GetFrames();
            why = "";
            return true;
        }
        catch (DicomException ex)
        {
            frames = [];
            why = "The frames of this instance cannot be served as stored: " + ex.Message + " Retrieve the instance instead.";
            return false;
        }
    }

    private static bool AreUids(string study, string? series, string? instance) =>
        GrainKeys.IsValidUid(study) && (series is null || GrainKeys.IsValidUid(series)) && (instance is null || GrainKeys.IsValidUid(instance));

    private static ProblemHttpResult NotFound(string detail = "Not found.") =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status404NotFound);

    private static ProblemHttpResult NotAcceptable(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status406NotAcceptable);
}
