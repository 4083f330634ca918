using System.Collections.Frozen;
using OrleansImaging.Dicom;
using OrleansImaging.Dicom.Json;

namespace OrleansImaging.Grains.Index;

/// <summary>The study row's counts, kept current by every upsert, and its modalities (backslash-separated, sorted).</summary>
internal readonly record struct StudyAggregates(int SeriesCount, int InstanceCount, string Modalities);

/// <summary>
/// Builds one QIDO-RS match from the stored JSON of its levels: the level's required attributes,
/// those of parent levels the path leaves open (a <c>/series</c> match carries its study's), the
/// counts, and whatever <c>includefield</c> asked for that is stored. Independent of the database,
/// so every <see cref="IQueryIndex"/> returns the same attributes.
/// </summary>
internal sealed class QidoResults(QidoQuery query)
{
    private static readonly FrozenSet<DicomTag> StudyKey = new[] { DicomTag.StudyInstanceUID }.ToFrozenSet();
    private static readonly FrozenSet<DicomTag> SeriesKey = new[] { DicomTag.SeriesInstanceUID }.ToFrozenSet();
    private readonly FrozenSet<DicomTag> _included = query.IncludeFields.ToFrozenSet();

    // The rows of one page mostly share their study and series: parse each of those parts once per query.
    private readonly Dictionary<string, DicomDataset> _parents = new(StringComparer.Ordinal);
    private readonly bool _studyOpen = query.Level == QueryLevel.Study || query.StudyInstanceUid is null;
    private readonly bool _seriesOpen = query.Level == QueryLevel.Series || (query.Level == QueryLevel.Instance && query.SeriesInstanceUid is null);

    public DicomDataset Build(string studyJson, StudyAggregates study, string? seriesJson, int seriesInstanceCount, string? instanceJson)
    {
        var result = new DicomDataset();
        var utf8 = false;
        // The study's UID identifies every match, whether the path fixes the study or not.
        var studyRequired = _studyOpen ? QidoAttributes.StudyRequired : StudyKey;
        utf8 |= Copy(Parent(studyJson), result, studyRequired, _studyOpen && query.IncludeAllFields);
        if (_studyOpen || _included.Contains(DicomTag.NumberOfStudyRelatedSeries))
            result.AddOrUpdate(DicomTag.NumberOfStudyRelatedSeries, DicomVR.IS, study.SeriesCount);
        if (_studyOpen || _included.Contains(DicomTag.NumberOfStudyRelatedInstances))
            result.AddOrUpdate(DicomTag.NumberOfStudyRelatedInstances, DicomVR.IS, study.InstanceCount);
        if (_studyOpen || _included.Contains(DicomTag.ModalitiesInStudy))
            result.AddOrUpdate(DicomTag.ModalitiesInStudy, DicomVR.CS, study.Modalities.Length == 0 ? [] : study.Modalities.Split('\\'));

        if (seriesJson is not null)
        {
            var seriesRequired = _seriesOpen ? QidoAttributes.SeriesRequired : SeriesKey;
            utf8 |= Copy(Parent(seriesJson), result, seriesRequired, _seriesOpen && query.IncludeAllFields);
            if (_seriesOpen || _included.Contains(DicomTag.NumberOfSeriesRelatedInstances))
                result.AddOrUpdate(DicomTag.NumberOfSeriesRelatedInstances, DicomVR.IS, seriesInstanceCount);
        }
        if (instanceJson is not null)
            utf8 |= Copy(DicomJson.Deserialize(instanceJson), result, QidoAttributes.InstanceRequired, query.IncludeAllFields);
        // Every stored part is ASCII or UTF-8, so one declaration covers whatever was copied.
        if (utf8)
            result.AddOrUpdate(DicomTag.SpecificCharacterSet, "ISO_IR 192");
        return result;
    }

    private DicomDataset Parent(string json)
    {
        if (!_parents.TryGetValue(json, out var part))
        {
            if (_parents.Count > 64)
                _parents.Clear();
            _parents[json] = part = DicomJson.Deserialize(json);
        }
        return part;
    }

    private bool Copy(DicomDataset part, DicomDataset result, IReadOnlySet<DicomTag> required, bool includeAll)
    {
        var utf8 = false;
        foreach (var attribute in part)
        {
            if (attribute.Tag == DicomTag.SpecificCharacterSet || !(includeAll || required.Contains(attribute.Tag) || _included.Contains(attribute.Tag)))
                continue;
            result.AddOrUpdate(attribute);
            utf8 |= attribute is DicomElement { IsLoaded: true } element && element.VR.UsesSpecificCharacterSet()
                && !System.Text.Ascii.IsValid(element.RawValue.Span);
        }
        return utf8;
    }
}
