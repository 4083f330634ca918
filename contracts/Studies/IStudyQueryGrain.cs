namespace OrleansImaging.Contracts.Studies;

/// <summary>
/// QIDO-RS searches within one tenant (key: tenant id). The grain decides from the caller whether the
/// tenant's studies may be searched at all; results never cross tenants.
/// </summary>
public interface IStudyQueryGrain : IGrainWithStringKey
{
    /// <summary>
    /// Runs a search and returns the matches as a DICOM JSON array (UTF-8). Bad parameters fail with an
    /// invalid-request error naming the parameter; a caller who may not read the tenant's studies gets not-found.
    /// </summary>
    Task<QidoResponse> SearchAsync(QidoRequest request);
}

/// <summary>The level a QIDO-RS search returns.</summary>
public enum QidoLevel
{
    /// <summary>Studies.</summary>
    Study,

    /// <summary>Series.</summary>
    Series,

    /// <summary>Instances.</summary>
    Instance,
}

/// <summary>A QIDO-RS search as the api received it.</summary>
/// <param name="Level">What to return.</param>
/// <param name="Parameters">The query string, as given (matching keys, includefield, limit, offset, fuzzymatching).</param>
/// <param name="StudyInstanceUid">The study of the path, for series and instances under a study.</param>
/// <param name="SeriesInstanceUid">The series of the path, for instances under a series.</param>
[GenerateSerializer, Immutable, Alias("OrleansImaging.QidoRequest")]
public sealed record QidoRequest(
    [property: Id(0)] QidoLevel Level,
    [property: Id(1)] IReadOnlyList<KeyValuePair<string, string>> Parameters,
    [property: Id(2)] string? StudyInstanceUid = null,
    [property: Id(3)] string? SeriesInstanceUid = null);

/// <summary>The matches of a search.</summary>
/// <param name="Json">A DICOM JSON array of the matches (UTF-8).</param>
/// <param name="Count">How many matches the array holds.</param>
/// <param name="HasMore">True when more matches exist beyond the limit.</param>
/// <param name="Warning">A note for the Warning header (e.g. the limit was capped), or null.</param>
[GenerateSerializer, Immutable, Alias("OrleansImaging.QidoResponse")]
public sealed record QidoResponse(
    [property: Id(0)] byte[] Json,
    [property: Id(1)] int Count,
    [property: Id(2)] bool HasMore,
    [property: Id(3)] string? Warning = null);
