using System.Text.Json.Nodes;

namespace OrleansImaging.Dicom.Tests.Json;

/// <summary>
/// The known differences between dcm2json and our DICOM JSON, one named rule each, each saying why
/// the difference is dcmtk's choice (or ours) rather than an error. Listed in docs/dicom.md,
/// "DICOM JSON and the dcm2json oracle".
/// </summary>
internal static class Dcm2JsonNormalizations
{
    public static IReadOnlyList<(string Name, AttributeEquivalence Rule)> For(DicomDataset ours, bool characterSetStripped)
    {
        var rules = new List<(string, AttributeEquivalence)>();
        return rules;
    }
}
