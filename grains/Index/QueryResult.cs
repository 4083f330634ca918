using OrleansImaging.Dicom;

namespace OrleansImaging.Grains.Index;

/// <summary>One page of QIDO-RS matches.</summary>
/// <param name="Matches">
/// The matches in a stable order (studies newest first, then series by number, then instances by
/// number; UIDs break ties), each a data set of the level's attributes ready for <c>DicomJson</c>.
/// Text is UTF-8: a match with non-ASCII text carries SpecificCharacterSet <c>ISO_IR 192</c>.
/// </param>
/// <param name="HasMore">
/// True when more matches exist after this page: the api's cue for PS3.18's "299 Warning"
/// header when the limit was capped, and for a next <c>offset</c>.
/// </param>
public sealed record QueryResult(IReadOnlyList<DicomDataset> Matches, bool HasMore);
