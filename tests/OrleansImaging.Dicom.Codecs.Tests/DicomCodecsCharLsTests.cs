using System.Buffers.Binary;
using System.Diagnostics;
using OrleansImaging.Dicom.IO;

namespace OrleansImaging.Dicom.Codecs.Tests;

/// <summary>
/// The JPEG-LS lossless path that calls CharLS directly (greyscale whose samples fit Bits Stored) and the images it
/// must leave to GDCM: both give back the original samples exactly, and dcmtk's dcmdjpls (its own CharLS copy)
/// reads what the direct path writes, with the stream's precision equal to Bits Stored.
/// </summary>
public sealed class DicomCodecsCharLsTests : IDisposable
{
    private readonly DicomCodecs _codecs = new();
    private readonly string _directory = Directory.CreateTempSubdirectory("charls-tests-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData(16, 12, 0, 3)]
    [InlineData(16, 16, 1, 2)] // signed, filling its 16 bits: the bit patterns go through as they are
    [InlineData(8, 8, 0, 1)]
    [InlineData(8, 6, 0, 2)]
    public async Task Transcode_Greyscale_DecodesToTheSameSamples_DcmdjplsAgrees_PrecisionIs8Or16BitBitsStored(int bitsAllocated, int bitsStored, int pixelRepresentation, int frames)
    {
        var pixels = Noise(97, 131, bitsAllocated, frames, value => value & ((1 << bitsStored) - 1));
        var source = Write("fits.dcm", 97, 131, bitsAllocated, bitsStored, pixelRepresentation, frames, pixels);
        var target = Path.Combine(_directory, "fits.jls.dcm");

        await _codecs.TranscodeAsync(source, target, DicomTransferSyntax.JpegLSLossless);

        var fragments = Assert.IsType<DicomFragmentSequence>(DicomFile.Open(target).Dataset.GetAttribute(DicomTag.PixelData)).Fragments;
        Assert.Equal(frames, fragments.Count);
        // 8-bit samples at precision 8 (dcmtk refuses lower ones); 16-bit samples at Bits Stored.
        Assert.All(fragments, fragment => Assert.Equal(bitsAllocated == 8 ? 8 : bitsStored, Precision(fragment.Data.Span)));
        var decoded = await _codecs.DecodeFramesAsync(target);
        Assert.Equal(pixels, decoded.Frames.SelectMany(f => f).ToArray());

        var reference = Path.Combine(_directory, "fits.dcmdjpls.dcm");
        Run("dcmdjpls", target, reference);
        var referencePixels = ((DicomElement)DicomFile.Open(reference).Dataset.GetAttribute(DicomTag.PixelData)).RawValue.ToArray();
        Assert.Equal(pixels, referencePixels[..pixels.Length]);
    }

    [Fact]
    public async Task Transcode_SixteenBitSamplesOfEightBitsStored_LeftToGdcm_SameSamples()
    {
        // CharLS reads samples of precision 8 or less a byte each: these stay with GDCM, which widens them.
        var pixels = Noise(40, 48, 16, 2, value => value & 0xFF);
        var source = Write("eight-in-sixteen.dcm", 40, 48, 16, 8, 0, 2, pixels);
        var target = Path.Combine(_directory, "eight-in-sixteen.jls.dcm");

        await _codecs.TranscodeAsync(source, target, DicomTransferSyntax.JpegLSLossless);

        Assert.Equal(pixels, (await _codecs.DecodeFramesAsync(target)).Frames.SelectMany(f => f).ToArray());
    }

    [Theory]
    [InlineData(0)] // unsigned with bits set above Bits Stored (old overlay planes)
    [InlineData(1)] // signed 12 bits, sign-extended into 16
    public async Task Transcode_SamplesPastBitsStored_LeftToGdcm_StillSameBytesOrRefused(int pixelRepresentation)
    {
        var pixels = Noise(64, 64, 16, 1, value => pixelRepresentation == 0 ? value & 0x0FFF : (short)((value & 0x0FFF) - 2048));
        if (pixelRepresentation == 0)
            BinaryPrimitives.WriteUInt16LittleEndian(pixels.AsSpan(20), 0x4123); // bit 14 in use
        var source = Write("past.dcm", 64, 64, 16, 12, pixelRepresentation, 1, pixels);
        var target = Path.Combine(_directory, "past.jls.dcm");

        try
        {
            await _codecs.TranscodeAsync(source, target, DicomTransferSyntax.JpegLSLossless);
        }
        catch (DicomCodecException)
        {
            return; // refusing is allowed; returning other samples is not
        }
        var decoded = await _codecs.DecodeFramesAsync(target);
        var samples = decoded.Frames.Single();
        // The archive keeps an image only if every byte comes back; what Bits Stored masks must then match too.
        for (var i = 0; i < pixels.Length; i += 2)
        {
            var expected = BinaryPrimitives.ReadUInt16LittleEndian(pixels.AsSpan(i)) & 0x0FFF;
            Assert.Equal(expected, BinaryPrimitives.ReadUInt16LittleEndian(samples.AsSpan(i)) & 0x0FFF);
        }
    }

    [Fact]
    public async Task Decode_FrameOfAnotherSizeThanTheHeaderDeclares_RefusedWithAClearError()
    {
        var pixels = Noise(32, 32, 16, 1, value => value & 0x0FFF);
        var source = Write("small.dcm", 32, 32, 16, 12, 0, 1, pixels);
        var target = Path.Combine(_directory, "small.jls.dcm");
        await _codecs.TranscodeAsync(source, target, DicomTransferSyntax.JpegLSLossless);
        // The header now claims 33 columns; the stream says 32.
        var file = DicomFile.Open(target);
        file.Dataset.AddOrUpdate<ushort>(DicomTag.Columns, 33);
        var lying = Path.Combine(_directory, "lying.dcm");
        await file.SaveAsync(lying);

        var error = await Assert.ThrowsAsync<DicomCodecException>(() => _codecs.DecodeFramesAsync(lying));

        Assert.Contains("32 × 32", error.Message, StringComparison.Ordinal);
    }

    private static byte[] Noise(int rows, int columns, int bitsAllocated, int frames, Func<int, int> shape)
    {
        var random = new Random(rows * 7919 + bitsAllocated);
        var bytesPerSample = bitsAllocated / 8;
        var pixels = new byte[rows * columns * bytesPerSample * frames];
        for (var i = 0; i < pixels.Length / bytesPerSample; i++)
        {
            // A smooth ramp plus noise: something a predictor compresses, with every bit in play.
            var value = shape((i % columns) * 17 + random.Next(0, 200));
            if (bytesPerSample == 1)
                pixels[i] = (byte)value;
            else
                BinaryPrimitives.WriteUInt16LittleEndian(pixels.AsSpan(2 * i), (ushort)value);
        }
        return pixels;
    }

    private string Write(string name, int rows, int columns, int bitsAllocated, int bitsStored, int pixelRepresentation, int frames, byte[] pixels)
    {
        var dataset = new DicomDataset()
            .Add(DicomTag.SOPClassUID, "1.2.840.10008.5.1.4.1.1.7")
            .Add(DicomTag.SOPInstanceUID, "2.25.1234567" + bitsAllocated + bitsStored + pixelRepresentation)
            .Add(DicomTag.Modality, "OT")
            .Add<ushort>(DicomTag.SamplesPerPixel, 1)
            .Add(DicomTag.PhotometricInterpretation, "MONOCHROME2")
            .Add(DicomTag.NumberOfFrames, frames.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .Add<ushort>(DicomTag.Rows, (ushort)rows)
            .Add<ushort>(DicomTag.Columns, (ushort)columns)
            .Add<ushort>(DicomTag.BitsAllocated, (ushort)bitsAllocated)
            .Add<ushort>(DicomTag.BitsStored, (ushort)bitsStored)
            .Add<ushort>(DicomTag.HighBit, (ushort)(bitsStored - 1))
            .Add<ushort>(DicomTag.PixelRepresentation, (ushort)pixelRepresentation)
            .Add(new DicomElement(DicomTag.PixelData, bitsAllocated > 8 ? DicomVR.OW : DicomVR.OB, pixels));
        var path = Path.Combine(_directory, name);
        new DicomFile(DicomFileMetaInformation.Create(dataset, DicomTransferSyntax.ExplicitVRLittleEndian), dataset, DicomTransferSyntax.ExplicitVRLittleEndian).Save(path);
        return path;
    }

    /// <summary>P of the JPEG-LS frame header (SOF55, FF F7): the sample precision the stream was encoded with.</summary>
    private static int Precision(ReadOnlySpan<byte> stream)
    {
        for (var i = 0; i + 4 < stream.Length; i++)
        {
            if (stream[i] == 0xFF && stream[i + 1] == 0xF7)
                return stream[i + 4];
        }
        throw new InvalidOperationException("no SOF55 marker");
    }

    private static void Run(string tool, params string[] arguments)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{tool} exited {process.ExitCode}: {stdout.Result}{stderr.Result}");
    }
}
