using System.Diagnostics;
using OrleansImaging.Dicom;

namespace OrleansImaging.Api.Tests.Archive;

/// <summary>What the archive tests ask of dcmtk and of a Part 10 file: a decoder that is neither ours nor GDCM.</summary>
internal static class Dcmtk
{
    /// <summary>Decodes a JPEG-LS object with dcmtk's dcmdjpls and returns the explicit VR little endian file.</summary>
    public static byte[] DecodeJpegLs(byte[] jpegLs)
    {
        var input = Path.GetTempFileName();
        var output = input + ".raw.dcm";
        try
        {
            File.WriteAllBytes(input, jpegLs);
            using var process = Process.Start(new ProcessStartInfo("dcmdjpls", [input, output]) { RedirectStandardError = true, RedirectStandardOutput = true })!;
            var errors = process.StandardError.ReadToEndAsync();
            process.WaitForExit();
            Assert.True(process.ExitCode == 0, "dcmdjpls failed: " + errors.Result);
            return File.ReadAllBytes(output);
        }
        finally
        {
            File.Delete(input);
            File.Delete(output);
        }
    }

    /// <summary>The native Pixel Data bytes of a Part 10 file.</summary>
    public static byte[] PixelData(byte[] part10) =>
        DicomFile.Parse(part10).Dataset.TryGetAttribute(DicomTag.PixelData, out var attribute) && attribute is DicomElement element
            ? element.RawValue.ToArray()
            : throw new InvalidOperationException("No native Pixel Data.");
}
