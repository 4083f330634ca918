using OrleansImaging.Dicom.Json;
using Xunit.Abstractions;

namespace OrleansImaging.Dicom.Tests.Json;

public sealed class DicomJsonRoundTripTests(ITestOutputHelper output)
{
    [Fact]
    public void SerializeDeserialize_EveryCorpusFileWithoutEncapsulatedData_GivesTheSameJson()
    {
        var checkedFiles = 0;
        var failures = new List<string>();
        foreach (var file in OracleCorpus.AllFiles())
        {
            DicomDataset dataset;
            try
            {
                dataset = DicomFile.Open(file).Dataset;
            }
            catch (DicomException)
            {
                continue;
            }
            if (dataset.OfType<DicomFragmentSequence>().Any())
                continue;
            var first = DicomJson.Serialize(dataset);
            try
            {
                var second = DicomJson.Serialize(DicomJson.Deserialize(first));
                if (second != first)
                    failures.Add($"{Path.GetFileName(file)}: {FirstDifference(first, second)}");
            }
            catch (DicomException ex)
            {
                failures.Add($"{Path.GetFileName(file)}: {ex.Message}");
            }
            checkedFiles++;
        }

        output.WriteLine($"{checkedFiles} files round-tripped through JSON, {failures.Count} differ.");
        Assert.True(checkedFiles > 100, $"only {checkedFiles} corpus files were read");
        Assert.Empty(failures);
    }

    [Fact]
    public async Task SerializeDeserialize_BulkDataUris_ComeBackThroughTheResolver()
    {
        var pixels = Enumerable.Range(0, 64).Select(i => (byte)i).ToArray();
        var dataset = new DicomDataset().Add(DicomTag.Rows, DicomVR.US, (ushort)8).Add(new DicomTag(0x7FE0, 0x0010), DicomVR.OW, pixels);
        var store = new Dictionary<string, byte[]>();
        var json = DicomJson.Serialize(dataset, new DicomJsonOptions
        {
            BulkDataUriBuilder = context =>
            {
                var uri = $"bulk/{context.Path}";
                store[uri] = ((DicomElement)context.Attribute).RawValue.ToArray();
                return uri;
            },
        });
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(path, store["bulk/7FE00010"]);
            var result = new DicomJsonReader(new DicomJsonReaderOptions
            {
                BulkDataResolver = uri => new DicomBulkDataReference(new FileByteSource(path), 0, store[uri.Uri].Length),
            }).Read(json);

            var element = (DicomElement)result.Dataset.GetAttribute(new DicomTag(0x7FE0, 0x0010));
            Assert.Equal(pixels, await element.BulkData!.ReadAllAsync());
            Assert.Equal(DicomJson.Serialize(dataset), DicomJson.Serialize(result.Dataset));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Serialize_ValuesLeftInTheFile_InlineReadsThemAndTheBuilderGetsThemWhateverTheThreshold()
    {
        var path = Path.Combine(OracleCorpus.Root, "test_files", "CT_small.dcm");
        var loaded = DicomFile.Open(path).Dataset;
        var referenced = (await DicomFile.OpenAsync(path, new OrleansImaging.Dicom.IO.DicomReadOptions { BulkDataThreshold = 1024 })).Dataset;
        var pixelData = new DicomTag(0x7FE0, 0x0010);
        Assert.False(((DicomElement)referenced.GetAttribute(pixelData)).IsLoaded);

        var inline = DicomJson.Serialize(referenced);
        var withUris = System.Text.Json.Nodes.JsonNode.Parse(DicomJson.Serialize(referenced, new DicomJsonOptions
        {
            BulkDataThreshold = long.MaxValue,
            BulkDataUriBuilder = context => $"bulk/{context.Path}",
        }))!;

        Assert.Equal(DicomJson.Serialize(loaded), inline);
        Assert.Equal("bulk/7FE00010", (string?)withUris["7FE00010"]!["BulkDataURI"]);
        Assert.NotNull(withUris["7FE00010"]!["vr"]);
    }

    private static string FirstDifference(string first, string second)
    {
        var i = 0;
        while (i < first.Length && i < second.Length && first[i] == second[i])
            i++;
        var start = Math.Max(0, i - 60);
        return $"…{first[start..Math.Min(first.Length, i + 60)]}… became …{second[start..Math.Min(second.Length, i + 60)]}…";
    }
}
