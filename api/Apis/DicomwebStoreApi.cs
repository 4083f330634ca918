using System.Text;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;
using OrleansImaging.Api.Authentication;
using OrleansImaging.Api.Dicomweb;
using OrleansImaging.Api.Hosting;
using OrleansImaging.Contracts;
using OrleansImaging.Contracts.Studies;
using OrleansImaging.Dicom;
using OrleansImaging.Dicom.IO;
using OrleansImaging.Dicom.Json;
using OrleansImaging.Grains.Storage;

namespace OrleansImaging.Api.Apis;

/// <summary>
/// STOW-RS (PS3.18 10.5): <c>multipart/related; type="application/dicom"</c>. Parts are streamed: each part's
/// header is read (up to Pixel Data), the whole part goes to blob storage under a fresh key of its study, and the
/// request's instances reach each study grain as one batch, which decides stored / already stored / conflict.
/// Only after blob and catalogue are durable does the sender get success.
/// </summary>
public static class DicomwebStoreApi
{
    // MultipartReader's own buffer: its 4 KB default meant 4 KB reads of the body (see the architecture notes).
    private const int BufferSize = 64 * 1024;

    /// <summary>Maps the STOW-RS resources.</summary>
    public static RouteGroupBuilder MapDicomwebStoreApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/dicomweb").RequireAuthorization();
        group.MapPost("/studies", (HttpContext http, IGrainFactory grains, IBlobStore blobs, ImagingHostOptions options) => StoreAsync(http, grains, blobs, options, null));
        group.MapPost("/studies/{study}", (HttpContext http, IGrainFactory grains, IBlobStore blobs, ImagingHostOptions options, string study) => StoreAsync(http, grains, blobs, options, study));
        return group;
    }

    /// <summary>Stores every part of the request; 200 when all were kept, 202 when some failed, 409 when all failed.</summary>
    public static async Task<Results<FileContentHttpResult, ProblemHttpResult, UnauthorizedHttpResult>> StoreAsync(
        HttpContext http, IGrainFactory grains, IBlobStore blobs, ImagingHostOptions options, string? study)
    {
        if (ApiCallers.FromPrincipal(http.User) is not { TenantId.Length: > 0 } caller)
        {
            return TypedResults.Unauthorized();
        }
        // The study grain decides again for every batch; asking the same policy first keeps a caller who may not
        // store from writing a single byte to blob storage.
        switch (Grains.Authorization.StudyAccess.Decide(caller, caller.TenantId, Grains.Authorization.StudyAction.Write))
        {
            case Grains.Authorization.AccessDecision.Forbidden:
                return TypedResults.Problem("The token may not store.", statusCode: StatusCodes.Status403Forbidden);
            case Grains.Authorization.AccessDecision.NotFound:
                return TypedResults.Problem("Not found.", statusCode: StatusCodes.Status404NotFound);
        }
        if (!MediaTypeHeaderValue.TryParse(http.Request.ContentType, out var contentType)
            || !contentType.MediaType.Equals("multipart/related", StringComparison.OrdinalIgnoreCase))
        {
            return TypedResults.Problem("STOW-RS takes multipart/related; type=\"application/dicom\".", statusCode: StatusCodes.Status415UnsupportedMediaType);
        }
        var type = contentType.Parameters.FirstOrDefault(p => p.Name.Equals("type", StringComparison.OrdinalIgnoreCase))?.Value;
        if (type is { } t && !HeaderUtilities.RemoveQuotes(t).Equals("application/dicom", StringComparison.OrdinalIgnoreCase))
        {
            return TypedResults.Problem($"Only type=\"application/dicom\" parts are accepted, not {t}.", statusCode: StatusCodes.Status415UnsupportedMediaType);
        }
        var boundary = HeaderUtilities.RemoveQuotes(contentType.Boundary).Value;
        if (string.IsNullOrEmpty(boundary))
        {
            return TypedResults.Problem("The multipart body has no boundary.", statusCode: StatusCodes.Status400BadRequest);
        }
        if (study is not null && !GrainKeys.IsValidUid(study))
        {
            return TypedResults.Problem("The study in the URL is not a UID.", statusCode: StatusCodes.Status400BadRequest);
        }
        if (http.Request.ContentLength > options.MaxStowRequestBytes)
        {
            return TooLarge(options);
        }
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = options.MaxStowRequestBytes;
        }

        var baseUrl = options.DicomwebBaseUrl; // not the Host header: it is stored in BulkDataURIs every reader gets (S9.2)
        var body = new RequestBodyLimitStream(http.Request.Body, options.MaxStowRequestBytes);
        var reader = new MultipartReader(boundary, body, BufferSize) { BodyLengthLimit = null, HeadersLengthLimit = 16 * 1024 };
        StowResponse response;
        try
        {
            response = await StowIngest.IngestAsync(grains, blobs, caller.TenantId, study, baseUrl, NextPartAsync, verify: null, http.RequestAborted);
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or OperationCanceledException)
        {
            return ex switch
            {
                RequestBodyTooLargeException or BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } => TooLarge(options),
                OperationCanceledException => TypedResults.Problem("The request was aborted.", statusCode: StatusCodes.Status400BadRequest),
                // The multipart reader's own messages name the defect ("Line length limit exceeded"); an IOException's
                // message may come from storage and name a path, so it is not echoed.
                InvalidDataException => TypedResults.Problem("The multipart body is malformed: " + ex.Message, statusCode: StatusCodes.Status400BadRequest),
                _ => TypedResults.Problem("The multipart body is malformed or ends before its final boundary.", statusCode: StatusCodes.Status400BadRequest),
            };
        }
        if (response.ReferencedCount + response.FailedCount == 0)
        {
            return TypedResults.Problem("The request has no parts.", statusCode: StatusCodes.Status400BadRequest);
        }
        http.Response.StatusCode = response.StatusCode;
        return TypedResults.File(Encoding.UTF8.GetBytes(DicomJson.Serialize(response.ToDataset())), "application/dicom+json");

        async Task<IngestPart?> NextPartAsync(CancellationToken cancellationToken) =>
            await reader.ReadNextSectionAsync(cancellationToken) is { } section ? new IngestPart(section.Body, section.ContentType) : null;
    }

    private static ProblemHttpResult TooLarge(ImagingHostOptions options) =>
        TypedResults.Problem($"The request body is larger than {options.MaxStowRequestBytes} bytes, the configured limit; send fewer instances per request.",
            statusCode: StatusCodes.Status413PayloadTooLarge);
}
