using System.Globalization;
using System.Text;

namespace OrleansImaging.Dicom.Tests.Json;

/// <summary>
/// What the Japanese (ISO 2022 IR 87/159) files dcmtk cannot decode must read as. For the files
/// charset_files/FileInfo.txt lists, Patient's Name must have exactly the bytes given there and
/// decode to the names of PS3.5 Annex H (H.3.1 and H.3.2, the examples these files encode); every
/// other text value of these files must decode without escape sequences or replacement characters.
/// </summary>
internal static class JapaneseExpectations
{
    private static readonly DicomTag PatientName = new(0x0010, 0x0010);

    private static readonly Dictionary<string, string> AnnexHNames = new(StringComparer.Ordinal)
    {
        ["chrH31.dcm"] = "Yamada^Tarou=山田^太郎=やまだ^たろう",
        ["chrH32.dcm"] = "ﾔﾏﾀﾞ^ﾀﾛｳ=山田^太郎=やまだ^たろう",
    };

    public static IEnumerable<string> Check(string fileName, DicomDataset dataset)
    {
        if (AnnexHNames.TryGetValue(fileName, out var expected))
        {
            var element = (DicomElement)dataset.GetAttribute(PatientName);
            var listed = FileInfoBytes(fileName);
            var raw = DicomElement.TrimPadding(element.RawValue.Span, DicomVR.PN).ToArray();
            if (listed is null || !raw.AsSpan().SequenceEqual(listed))
                yield return $"{fileName}: Patient's Name bytes differ from charset_files/FileInfo.txt";
            var actual = dataset.Get<string>(PatientName);
            if (actual != expected)
                yield return $"{fileName}: Patient's Name reads '{actual}', PS3.5 Annex H says '{expected}'";
        }
        foreach (var problem in Undecoded(dataset, ""))
            yield return $"{fileName}: {problem}";
    }

    private static IEnumerable<string> Undecoded(DicomDataset dataset, string path)
    {
        foreach (var attribute in dataset)
        {
            if (attribute is DicomSequence sequence)
            {
                for (var i = 0; i < sequence.Items.Count; i++)
                {
                    foreach (var problem in Undecoded(sequence.Items[i], $"{path}{sequence.Tag}[{i}]."))
                        yield return problem;
                }
            }
            else if (attribute is DicomElement { IsLoaded: true } element && element.VR.UsesSpecificCharacterSet())
            {
                var text = element.GetText(dataset.CharacterSet);
                if (text.Contains('\u001B') || text.Contains('\uFFFD'))
                    yield return $"{path}{element.Tag} is not fully decoded: '{text}'";
            }
        }
    }

    /// <summary>The Patient's Name bytes FileInfo.txt gives for a file, from their Python bytes notation.</summary>
    private static byte[]? FileInfoBytes(string fileName)
    {
        var line = File.ReadLines(Path.Combine(OracleCorpus.Root, "charset_files", "FileInfo.txt"))
            .FirstOrDefault(l => l.StartsWith(fileName + " ", StringComparison.Ordinal));
        if (line is null)
            return null;
        var start = line.IndexOf('\'', line.IndexOf(']', StringComparison.Ordinal) + 1);
        var end = line.LastIndexOf('\'');
        var text = line[(start + 1)..end];
        var bytes = new List<byte>();
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\\' && i + 3 < text.Length && text[i + 1] == 'x')
            {
                bytes.Add(byte.Parse(text.AsSpan(i + 2, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                i += 3;
            }
            else
            {
                bytes.AddRange(Encoding.ASCII.GetBytes(text[i].ToString()));
            }
        }
        return [.. bytes];
    }
}
