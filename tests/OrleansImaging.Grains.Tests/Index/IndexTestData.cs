using OrleansImaging.Dicom;
using OrleansImaging.Grains.Index;

namespace OrleansImaging.Grains.Tests.Index;

/// <summary>Headers and index rows for the index tests: a plausible CT instance, changed where a test needs.</summary>
internal static class IndexTestData
{
    public const string TenantA = "hospital-a";
    public const string TenantB = "hospital-b";

    public static DicomDataset Header(string study, string series, string sop, Action<DicomDataset>? change = null)
    {
        var header = new DicomDataset()
            .Add(DicomTag.SOPClassUID, "1.2.840.10008.5.1.4.1.1.2")
            .Add(DicomTag.SOPInstanceUID, sop)
            .Add(DicomTag.StudyDate, "20240315")
            .Add(DicomTag.StudyTime, "101500")
            .Add(DicomTag.AccessionNumber, "ACC-" + study[^1])
            .Add(DicomTag.Modality, "CT")
            .Add(DicomTag.ReferringPhysicianName, "Referring^Doctor")
            .Add(DicomTag.StudyDescription, "CT CHEST")
            .Add(DicomTag.SeriesDescription, "AXIAL")
            .Add(DicomTag.PatientName, "Doe^Jane")
            .Add(DicomTag.PatientID, "PAT-1")
            .Add(DicomTag.PatientBirthDate, "19700101")
            .Add(DicomTag.PatientSex, "F")
            .Add(DicomTag.StudyInstanceUID, study)
            .Add(DicomTag.SeriesInstanceUID, series)
            .Add(DicomTag.StudyID, "S1")
            .Add(DicomTag.SeriesNumber, "1")
            .Add(DicomTag.InstanceNumber, sop[(sop.LastIndexOf('.') + 1)..])
            .Add(DicomTag.Rows, (ushort)512)
            .Add(DicomTag.Columns, (ushort)512)
            .Add(DicomTag.BitsAllocated, (ushort)16)
            .Add(DicomTag.PixelData, DicomVR.OW, new byte[64]);
        change?.Invoke(header);
        return header;
    }

    public static IndexedInstance Instance(string tenant, string study, string series, string sop, Action<DicomDataset>? change = null) =>
        IndexedInstance.FromDataset(tenant, Header(study, series, sop, change), $"{tenant}/{study}/{sop}", 1000, new string('a', 64));

    /// <summary>Instances 1..count of one series, instance numbers as the last UID component.</summary>
    public static IndexedInstance[] Series(string tenant, string study, string series, int count, Action<DicomDataset>? change = null) =>
        Enumerable.Range(1, count).Select(n => Instance(tenant, study, series, $"{series}.{n}", change)).ToArray();
}

/// <summary>A fresh index in its own temporary folder per test.</summary>
public abstract class IndexTestBase : IDisposable
{
    protected IndexTestBase()
    {
        Folder = Directory.CreateTempSubdirectory("orleans-imaging-index-").FullName;
        Index = new SqliteQueryIndex(new SqliteQueryIndexOptions { DataDirectory = Folder });
    }

    protected string Folder { get; }

    protected SqliteQueryIndex Index { get; }

    public void Dispose()
    {
        Index.Dispose();
        Directory.Delete(Folder, recursive: true);
        GC.SuppressFinalize(this);
    }

    protected static QidoQuery Query(QueryLevel level, string query = "", string tenant = IndexTestData.TenantA, string? study = null, string? series = null) =>
        QidoQuery.Parse(tenant, level, ParseQueryString(query), study, series);

    protected static IEnumerable<KeyValuePair<string, string>> ParseQueryString(string query) =>
        query.Split('&', StringSplitOptions.RemoveEmptyEntries).Select(pair =>
        {
            var equals = pair.IndexOf('=');
            return equals < 0
                ? new KeyValuePair<string, string>(Uri.UnescapeDataString(pair), "")
                : new KeyValuePair<string, string>(Uri.UnescapeDataString(pair[..equals]), Uri.UnescapeDataString(pair[(equals + 1)..]));
        });

    protected async Task<string[]> StudyUidsAsync(string query, string tenant = IndexTestData.TenantA) =>
        (await Index.QueryAsync(Query(QueryLevel.Study, query, tenant))).Matches.Select(m => m.Get<string>(DicomTag.StudyInstanceUID)).ToArray();
}
