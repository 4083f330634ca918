using System.Security.Cryptography;
using System.Text;
using OrleansImaging.Contracts.Studies;

namespace OrleansImaging.Grains.Tests.Cluster;

/// <summary>Builds instances to record; the content (and so the hash) is derived from a seed.</summary>
public static class TestInstances
{
    public const string CtImageStorage = "1.2.840.10008.5.1.4.1.1.2";
    public const string ExplicitVrLittleEndian = "1.2.840.10008.1.2.1";

    private static int s_study;

    /// <summary>A study UID no other test uses (tests share one cluster and its files).</summary>
    public static string NewStudyUid() => $"1.2.826.0.1.3680043.10.1{Environment.ProcessId}.{Interlocked.Increment(ref s_study)}";

    public static NewInstance Make(string tenant, string study, string series, int number, int contentSeed = 0)
    {
        var sop = $"{series}.{number}";
        var sha = Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes($"{sop}/{contentSeed}")));
        return new NewInstance(series, sop, CtImageStorage, ExplicitVrLittleEndian, $"{tenant}/{study}/{sop}",
            512 * 1024 + number, sha, Metadata(study, series, sop, number));
    }

    /// <summary>
    /// A CT instance's DICOM JSON without pixel data, about the size of a real one's (~2.3 KB): the figures depend
    /// on how big catalogue rows are.
    /// </summary>
    public static byte[] Metadata(string study, string series, string sop, int number)
    {
        var json = new StringBuilder(2600);
        json.Append('{');
        Attribute(json, "00080016", "UI", CtImageStorage).Append(',');
        Attribute(json, "00080018", "UI", sop).Append(',');
        Attribute(json, "00080020", "DA", "20240115").Append(',');
        Attribute(json, "00080060", "CS", "CT").Append(',');
        Attribute(json, "00081030", "LO", "CT CHEST ABDOMEN PELVIS WITH CONTRAST").Append(',');
        json.Append("\"00100010\":{\"vr\":\"PN\",\"Value\":[{\"Alphabetic\":\"DOE^JANE\"}]},");
        Attribute(json, "00100020", "LO", "PID-0001").Append(',');
        Attribute(json, "0020000D", "UI", study).Append(',');
        Attribute(json, "0020000E", "UI", series).Append(',');
        json.Append("\"00200013\":{\"vr\":\"IS\",\"Value\":[").Append(number).Append("]},");
        json.Append("\"00200032\":{\"vr\":\"DS\",\"Value\":[-249.51171875,-420.51171875,").Append(-number * 1.25).Append("]},");
        json.Append("\"00200037\":{\"vr\":\"DS\",\"Value\":[1,0,0,0,1,0]},");
        json.Append("\"00280010\":{\"vr\":\"US\",\"Value\":[512]},\"00280011\":{\"vr\":\"US\",\"Value\":[512]},");
        json.Append("\"00280030\":{\"vr\":\"DS\",\"Value\":[0.9765625,0.9765625]},");
        json.Append("\"00281050\":{\"vr\":\"DS\",\"Value\":[40,400]},\"00281051\":{\"vr\":\"DS\",\"Value\":[400,1500]},");
        // Private and descriptive attributes a scanner adds, to reach a realistic size.
        for (var i = 0; i < 24; i++)
        {
            Attribute(json, $"0019{0x1000 + i:X4}", "LO", $"VENDOR-PARAMETER-{i:D2}-VALUE-{number % 97:D2}").Append(',');
        }
        json.Append("\"7FE00010\":{\"vr\":\"OW\",\"BulkDataURI\":\"bulk/").Append(sop).Append("/pixels\"}");
        json.Append('}');
        return Encoding.UTF8.GetBytes(json.ToString());
    }

    private static StringBuilder Attribute(StringBuilder json, string tag, string vr, string value) =>
        json.Append('"').Append(tag).Append("\":{\"vr\":\"").Append(vr).Append("\",\"Value\":[\"").Append(value).Append("\"]}");
}
