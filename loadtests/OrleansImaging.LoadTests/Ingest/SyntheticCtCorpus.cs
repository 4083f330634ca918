using System.Buffers.Binary;
using System.Globalization;
using OrleansImaging.Dicom;
using OrleansImaging.Dicom.IO;
using OrleansImaging.LoadTests.Dicom;

namespace OrleansImaging.LoadTests.Ingest;

/// <summary>One file of an ingest corpus and the study it belongs to.</summary>
internal sealed record CorpusFile(string Path, string StudyInstanceUid, long Length);

/// <summary>
/// The ingest benchmark's input: synthetic CT slices (<see cref="SyntheticCt"/>: 512×512, Bits Stored 12, explicit VR
/// little endian, CT Image Storage) spread over a number of studies, one patient and one series each, UIDs from our
/// <see cref="DicomUidGenerator"/>. Pixels are a chest phantom in Hounsfield units (air, fat, soft tissue, lungs,
/// contrast-filled heart, bone) with Gaussian noise, so a lossless codec finds what it finds in a real CT (about
/// 2.5–3:1) instead of a ramp that compresses to nothing. A generated corpus is kept in a folder named after its
/// shape and reused; a <c>.complete</c> marker is written last, so an interrupted generation starts over.
/// </summary>
internal static class SyntheticCtCorpus
{
    private const int Size = 512;
    private const string ManifestName = "manifest.tsv";
    private const string CompleteMarker = ".complete";

    // Distinct pixel slices: the phantom's shape varies along z with this period; more would only cost generation time.
    private const int DistinctSlices = 32;

    /// <summary>
    /// The standard deviation of the noise in HU. Chosen so that JPEG-LS lossless (dcmcjpls) compresses a file
    /// about 2.9:1 (clinical CT: 2.5–3:1); the figure is checked and printed on every run.
    /// </summary>
    private const double NoiseHu = 22.0;

    /// <summary>Loads the cached corpus of this shape from <paramref name="cacheRoot"/>, generating it first if needed.</summary>
    public static IReadOnlyList<CorpusFile> LoadOrCreate(string cacheRoot, int instances, int studies, TextWriter log)
    {
        var folder = Path.Combine(cacheRoot, string.Create(CultureInfo.InvariantCulture, $"ct-{instances}-in-{studies}-studies-v2"));
        if (File.Exists(Path.Combine(folder, CompleteMarker)))
            return ReadManifest(folder);
        if (Directory.Exists(folder))
            Directory.Delete(folder, recursive: true);
        Directory.CreateDirectory(folder);
        log.WriteLine($"generating {instances} synthetic CT instances in {studies} studies into {folder} (cached for later runs)");

        var pixels = new byte[DistinctSlices][];
        Parallel.For(0, DistinctSlices, z => pixels[z] = Phantom(z));
        var uids = new DicomUidGenerator();
        var manifest = new List<string>(instances);
        var perStudy = (instances + studies - 1) / studies;
        for (var s = 0; s < studies; s++)
        {
            var patient = s + 1;
            var study = uids.Generate().Value;
            var series = uids.Generate().Value;
            var frame = uids.Generate().Value;
            var studyFolder = Path.Combine(folder, $"study{s:D3}");
            Directory.CreateDirectory(studyFolder);
            var count = Math.Min(perStudy, instances - s * perStudy);
            for (var i = 0; i < count; i++)
            {
                var slice = new SyntheticCtSlice(
                    string.Create(CultureInfo.InvariantCulture, $"Synthetic^Patient{patient:D3}"), string.Create(CultureInfo.InvariantCulture, $"SYN-{patient:D5}"),
                    string.Create(CultureInfo.InvariantCulture, $"ACC{patient:D8}"), study, series, frame, uids.Generate().Value, i + 1, -1.25 * i);
                var path = Path.Combine(studyFolder, string.Create(CultureInfo.InvariantCulture, $"{i + 1:D6}.dcm"));
                var bytes = SyntheticCt.Create(slice, pixels[i % DistinctSlices]);
                File.WriteAllBytes(path, bytes);
                manifest.Add(string.Create(CultureInfo.InvariantCulture, $"{Path.GetRelativePath(folder, path)}\t{study}\t{bytes.Length}"));
            }
        }
        File.WriteAllLines(Path.Combine(folder, ManifestName), manifest);
        File.WriteAllText(Path.Combine(folder, CompleteMarker), "");
        return ReadManifest(folder);
    }

    /// <summary>A folder of DICOM files given with <c>--corpus</c>: every <c>*.dcm</c>, grouped by study, in path order.</summary>
    public static async Task<IReadOnlyList<CorpusFile>> ReadFolderAsync(string folder)
    {
        var files = new List<CorpusFile>();
        foreach (var path in Directory.EnumerateFiles(folder, "*.dcm", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var header = await DicomFile.OpenAsync(path, DicomReadOptions.HeaderOnly);
            if (header.Dataset.GetStringOrNull(DicomTag.StudyInstanceUID) is { } study)
                files.Add(new CorpusFile(path, study, new FileInfo(path).Length));
        }
        return [.. files.GroupBy(f => f.StudyInstanceUid).SelectMany(g => g)];
    }

    private static List<CorpusFile> ReadManifest(string folder) =>
        [.. File.ReadLines(Path.Combine(folder, ManifestName)).Select(line => line.Split('\t')).Select(f =>
            new CorpusFile(Path.Combine(folder, f[0]), f[1], long.Parse(f[2], CultureInfo.InvariantCulture)))];

    /// <summary>
    /// A 512×512 axial chest slice, stored value = HU + 1024 (Rescale Intercept −1024), 12 bits. Outside the 500 mm
    /// reconstruction circle the scanner's padding value 0, noiseless, as real CT has.
    /// </summary>
    private static byte[] Phantom(int z)
    {
        var random = new Random(1000 + z);
        var pixels = new byte[Size * Size * 2];
        var phase = 2 * Math.PI * z / DistinctSlices;
        var bodyA = 200 + 8 * Math.Sin(phase);
        var bodyB = 140 + 6 * Math.Cos(phase);
        var lungA = 70 + 10 * Math.Sin(phase);
        for (var y = 0; y < Size; y++)
        {
            for (var x = 0; x < Size; x++)
            {
                double dx = x - 255.5, dy = y - 255.5;
                int stored;
                if (dx * dx + dy * dy > 256.0 * 256.0)
                {
                    stored = 0;
                }
                else
                {
                    var hu = Tissue(dx, dy + 20, bodyA, bodyB, lungA) + NoiseHu * Gaussian(random);
                    stored = Math.Clamp((int)Math.Round(hu + 1024), 0, 4095);
                }
                BinaryPrimitives.WriteUInt16LittleEndian(pixels.AsSpan((y * Size + x) * 2), (ushort)stored);
            }
        }
        return pixels;
    }

    private static double Tissue(double x, double y, double bodyA, double bodyB, double lungA)
    {
        static double E(double x, double y, double cx, double cy, double a, double b) => (x - cx) * (x - cx) / (a * a) + (y - cy) * (y - cy) / (b * b);
        if (E(x, y, 0, 0, bodyA, bodyB) > 1)
            return y > bodyB + 25 && y < bodyB + 35 && Math.Abs(x) < 220 ? 300 : -1000; // air, and the table under the patient
        if (E(x, y, 0, 0, bodyA - 12, bodyB - 12) > 1)
            return -100; // subcutaneous fat
        if (E(x, y, 0, bodyB - 35, 18, 18) <= 1)
            return E(x, y, 0, bodyB - 35, 9, 9) <= 1 ? 250 : 900; // vertebra: cancellous inside cortical bone
        if (E(x, y, 15, -10, 55, 45) <= 1)
            return 150; // heart with contrast
        if (E(x, y, -85, 0, lungA, 95) <= 1 || E(x, y, 85, 0, lungA, 95) <= 1)
            return -850; // lungs
        if (E(x, y, 40, -20, 12, 12) <= 1)
            return 200; // aorta
        return 40; // soft tissue
    }

    private static double Gaussian(Random random)
    {
        // Box–Muller; the second value is thrown away: generation runs once per corpus.
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }
}
