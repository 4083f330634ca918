using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using OrleansImaging.Api.Dicomweb;
using OrleansImaging.Api.Rendering;
using OrleansImaging.Contracts;
using OrleansImaging.Contracts.Studies;
using OrleansImaging.Dicom.Imaging;

namespace OrleansImaging.Api.Apis;

/// <summary>
/// WADO-RS rendered resources (PS3.18 10.4, "Retrieve Rendered Transaction") and thumbnails under <c>/dicomweb</c>:
/// one frame of an instance as image/jpeg or image/png with the window, viewport and quality parameters; thumbnails of
/// an instance, a series (its middle instance by Instance Number) or a study (its first series with images). The study
/// grain authorizes exactly as for WADO-RS (another hospital's study answers 404 like a missing one); rendering itself
/// is <see cref="RenderingService"/>'s.
/// </summary>
public static class DicomwebRenderedApi
{
    /// <summary>The viewport of a thumbnail when none is asked for; thumbnails are never enlarged.</summary>
    public const int ThumbnailSide = 128;

    /// <summary>Maps the rendered and thumbnail resources.</summary>
    public static RouteGroupBuilder MapDicomwebRenderedApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/dicomweb").RequireAuthorization();
        group.MapGet("/studies/{study}/series/{series}/instances/{instance}/rendered",
            (HttpContext http, IGrainFactory grains, RenderingService rendering, string study, string series, string instance) =>
                RenderInstanceAsync(http, grains, rendering, study, series, instance, null, thumbnail: false));
        group.MapGet("/studies/{study}/series/{series}/instances/{instance}/frames/{frames}/rendered",
            (HttpContext http, IGrainFactory grains, RenderingService rendering, string study, string series, string instance, string frames) =>
                RenderInstanceAsync(http, grains, rendering, study, series, instance, frames, thumbnail: false));
        group.MapGet("/studies/{study}/series/{series}/instances/{instance}/thumbnail",
            (HttpContext http, IGrainFactory grains, RenderingService rendering, string study, string series, string instance) =>
                RenderInstanceAsync(http, grains, rendering, study, series, instance, null, thumbnail: true));
        group.MapGet("/studies/{study}/series/{series}/instances/{instance}/frames/{frames}/thumbnail",
            (HttpContext http, IGrainFactory grains, RenderingService rendering, string study, string series, string instance, string frames) =>
                RenderInstanceAsync(http, grains, rendering, study, series, instance, frames, thumbnail: true));
        group.MapGet("/studies/{study}/series/{series}/thumbnail",
            (HttpContext http, IGrainFactory grains, RenderingService rendering, string study, string series) => ThumbnailAsync(http, grains, rendering, study, series));
        group.MapGet("/studies/{study}/thumbnail",
            (HttpContext http, IGrainFactory grains, RenderingService rendering, string study) => ThumbnailAsync(http, grains, rendering, study, null));
        return group;
    }

    /// <summary>
    /// One frame of an instance, rendered (or as a thumbnail). Without a frame number the first frame is rendered: a
    /// multi-frame instance's <c>/rendered</c> is its frame 1 (multi-frame media types such as GIF or video are not offered).
    /// </summary>
    public static async Task<Results<FileContentHttpResult, ProblemHttpResult, UnauthorizedHttpResult>> RenderInstanceAsync(
        HttpContext http, IGrainFactory grains, RenderingService rendering, string study, string series, string instance, string? frames, bool thumbnail)
    {
        if (Authentication.ApiCallers.FromPrincipal(http.User) is not { TenantId.Length: > 0 } caller)
        {
            return TypedResults.Unauthorized();
        }
        if (!GrainKeys.IsValidUid(study) || !GrainKeys.IsValidUid(series) || !GrainKeys.IsValidUid(instance))
        {
            return NotFound();
        }
        var frame = 1;
        if (frames is not null)
        {
            if (!FrameNumbers.TryParse(frames, out var numbers, out var problem))
            {
                return BadRequest("frames: " + problem);
            }
            if (numbers.Count != 1)
            {
                return BadRequest("frames: a rendered frame resource names exactly one frame; multi-frame rendered media types are not offered.");
            }
            frame = numbers[0];
        }
        if (TryPrepare(http, thumbnail, frame, out var request) is { } refusal)
        {
            return refusal;
        }
        var location = await grains.GetGrain<IStudyGrain>(GrainKeys.Study(caller.TenantId, study)).GetInstanceAsync(series, instance);
        return await RenderAsync(http, rendering, location, request);
    }

    /// <summary>
    /// The thumbnail of a series (its middle image instance by Instance Number, from the catalogue's metadata, no blob
    /// reads) or of a study (the same, in its first series, in stored order, that has images).
    /// </summary>
    public static async Task<Results<FileContentHttpResult, ProblemHttpResult, UnauthorizedHttpResult>> ThumbnailAsync(
        HttpContext http, IGrainFactory grains, RenderingService rendering, string study, string? series)
    {
        if (Authentication.ApiCallers.FromPrincipal(http.User) is not { TenantId.Length: > 0 } caller)
        {
            return TypedResults.Unauthorized();
        }
        if (!GrainKeys.IsValidUid(study) || (series is not null && !GrainKeys.IsValidUid(series)))
        {
            return NotFound();
        }
        if (TryPrepare(http, thumbnail: true, frame: 1, out var request) is { } refusal)
        {
            return refusal;
        }
        var grain = grains.GetGrain<IStudyGrain>(GrainKeys.Study(caller.TenantId, study));
        var metadata = await grain.GetMetadataAsync(series);
        if (RepresentativeInstance(metadata) is not { } chosen)
        {
            // The grain answers 404 for a study or series it does not have (or the caller may not read); here it has
            // some, but none of them is an image.
            return NotAcceptable($"The {(series is null ? "study" : "series")} has no image instances (only e.g. structured reports or documents), so it has no thumbnail.");
        }
        var location = await grain.GetInstanceAsync(chosen.Series, chosen.Instance);
        return await RenderAsync(http, rendering, location, request);
    }

    /// <summary>
    /// Picks the instance a thumbnail shows from DICOM JSON metadata: among instances that have Rows (0028,0010), i.e.
    /// images, those of the first series in the order given, and of them the middle one by Instance Number (instances
    /// without one sort last, ties keep their order).
    /// </summary>
    public static (string Series, string Instance)? RepresentativeInstance(byte[] metadataJson)
    {
        using var document = JsonDocument.Parse(metadataJson);
        var images = new List<(string Series, string Instance, int Number)>();
        foreach (var item in document.RootElement.EnumerateArray())
        {
            if (FirstValue(item, "00280010") is null || FirstString(item, "0020000E") is not { } seriesUid || FirstString(item, "00080018") is not { } sopUid)
                continue;
            var number = FirstValue(item, "00200013") is { } value && TryInstanceNumber(value, out var n) ? n : int.MaxValue;
            images.Add((seriesUid, sopUid, number));
        }
        if (images.Count == 0)
            return null;
        var firstSeries = images[0].Series;
        var inSeries = images.Where(i => i.Series == firstSeries).OrderBy(i => i.Number).ToList();
        var middle = inSeries[(inSeries.Count - 1) / 2];
        return (middle.Series, middle.Instance);
    }

    /// <summary>The render request from the query and Accept, or the problem with them: 400 naming a bad parameter, else 406.</summary>
    private static ProblemHttpResult? TryPrepare(HttpContext http, bool thumbnail, int frame, out RenderRequest request)
    {
        request = new RenderRequest();
        if (!RenderParameters.TryParse(http.Request.Query, out var parameters, out var problem))
            return BadRequest(problem!);
        if (RenderedNegotiation.Negotiate(http.Request.Headers.Accept, http.Request.Query["accept"]) is not { } format)
            return NotAcceptable(RenderedNegotiation.Refusal);
        request = new RenderRequest(
            Frame: frame,
            Format: format,
            Quality: parameters.Quality,
            Window: parameters.Window,
            Viewport: parameters.Viewport ?? (thumbnail ? new Viewport(ThumbnailSide, ThumbnailSide) : null),
            AllowUpscale: !thumbnail);
        return null;
    }

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult, UnauthorizedHttpResult>> RenderAsync(
        HttpContext http, RenderingService rendering, InstanceLocation location, RenderRequest request)
    {
        try
        {
            var image = await rendering.RenderAsync(location, request, http.RequestAborted);
            return TypedResults.File(image.Content, image.MediaType);
        }
        catch (DicomRenderException ex)
        {
            return ex.Failure switch
            {
                DicomRenderFailure.NoSuchFrame => NotFound(ex.Message),
                DicomRenderFailure.InvalidParameter => BadRequest($"{ex.Parameter}: {ex.Message}"),
                DicomRenderFailure.DecodeFailed => NotAcceptable("The instance's pixel data cannot be decoded for rendering: " + ex.Message
                    + " It can still be retrieved as stored (application/dicom)."),
                _ => NotAcceptable(ex.Message + " It can still be retrieved as stored (application/dicom)."),
            };
        }
    }

    private static JsonElement? FirstValue(JsonElement item, string tag) =>
        item.TryGetProperty(tag, out var attribute) && attribute.TryGetProperty("Value", out var values)
        && values.ValueKind == JsonValueKind.Array && values.GetArrayLength() > 0 ? values[0] : null;

    private static string? FirstString(JsonElement item, string tag) =>
        FirstValue(item, tag) is { ValueKind: JsonValueKind.String } value ? value.GetString() : null;

    // IS is a number in DICOM JSON, but some writers keep it a string.
    private static bool TryInstanceNumber(JsonElement value, out int number)
    {
        number = 0;
        return value.ValueKind switch
        {
            JsonValueKind.Number => value.TryGetInt32(out number),
            JsonValueKind.String => int.TryParse(value.GetString(), NumberStyles.AllowLeadingSign | NumberStyles.AllowLeadingWhite | NumberStyles.AllowTrailingWhite, CultureInfo.InvariantCulture, out number),
            _ => false,
        };
    }

    private static ProblemHttpResult NotFound(string detail = "Not found.") =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status404NotFound);

    private static ProblemHttpResult BadRequest(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status400BadRequest);

    private static ProblemHttpResult NotAcceptable(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status406NotAcceptable);
}
