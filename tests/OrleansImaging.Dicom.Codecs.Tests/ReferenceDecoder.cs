using System.Diagnostics;

namespace OrleansImaging.Dicom.Codecs.Tests;

/// <summary>A reference tool's decompression of one file: its Image Pixel attributes and native Pixel Data.</summary>
internal sealed record ReferenceImage(string Tool, DicomDataset Dataset, byte[] PixelData)
{
    public int PlanarConfiguration => Dataset.GetOrDefault(DicomTag.PlanarConfiguration, 0);

    public string PhotometricInterpretation => Dataset.GetStringOrNull(DicomTag.PhotometricInterpretation) ?? string.Empty;
}

/// <summary>
/// Decompresses with the tools a PACS engineer would check against: dcmtk's own decoders where it has
/// them (dcmdjpeg: IJG; dcmdrle; dcmdjpls: CharLS), GDCM's gdcmconv for JPEG 2000 (dcmtk has no
/// JPEG 2000 decoder; gdcmconv shares OpenJPEG with the facade, so there it checks our plumbing —
/// frame splitting, byte order, description — not the codec).
/// </summary>
internal static class ReferenceDecoder
{
    public static string ToolFor(DicomTransferSyntax syntax) => syntax.Uid switch
    {
        "1.2.840.10008.1.2.5" => "dcmdrle",
        "1.2.840.10008.1.2.4.80" or "1.2.840.10008.1.2.4.81" => "dcmdjpls",
        "1.2.840.10008.1.2.4.90" or "1.2.840.10008.1.2.4.91" => "gdcmconv",
        _ => "dcmdjpeg",
    };

    /// <summary>The tool's output, or null with its complaint when it cannot decompress the file.</summary>
    public static (ReferenceImage? Image, string Complaint) Decode(string path, DicomTransferSyntax syntax)
    {
        var tool = ToolFor(syntax);
        var output = Path.Combine(Path.GetTempPath(), $"codec-ref-{Guid.NewGuid():N}.dcm");
        try
        {
            // dcmdjpeg's default planar configuration depends on the SOP class, and by default it converts YCbCr
            // to RGB; GDCM does neither, so the reference is asked for colour-by-pixel YCbCr as stored.
            string[] arguments = tool switch
            {
                "gdcmconv" => ["--raw", path, output],
                "dcmdjpeg" => ["+px", "+cn", path, output],
                _ => [path, output],
            };
            var start = new ProcessStartInfo(tool) { RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (var argument in arguments)
                start.ArgumentList.Add(argument);
            using var process = Process.Start(start) ?? throw new InvalidOperationException($"{tool} did not start");
            var stderr = process.StandardError.ReadToEndAsync();
            var stdout = process.StandardOutput.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromSeconds(30)))
            {
                process.Kill();
                throw new TimeoutException($"{tool} {path} did not finish in 30 s");
            }
            var complaint = $"{tool} exited {process.ExitCode}: {stderr.Result}{stdout.Result}".Trim();
            if (process.ExitCode != 0 || !File.Exists(output))
                return (null, complaint);
            var decoded = DicomFile.Open(output);
            if (decoded.TransferSyntax.IsEncapsulated || !decoded.Dataset.TryGetAttribute(DicomTag.PixelData, out var pixelData) || pixelData is not DicomElement element)
                return (null, $"{tool} wrote {decoded.TransferSyntax.Name} without native Pixel Data. {complaint}");
            var bytes = element.RawValue.ToArray();
            if (decoded.TransferSyntax.IsBigEndian)
                return (null, $"{tool} wrote big endian. {complaint}");
            return (new ReferenceImage(tool, decoded.Dataset, bytes), complaint);
        }
        finally
        {
            File.Delete(output);
        }
    }
}
