using System.Buffers;
using System.Globalization;
using System.Runtime.InteropServices;

namespace OrleansImaging.Dicom.Codecs;

/// <summary>
/// JPEG-LS lossless of greyscale frames through CharLS's C API (Debian's libcharls2, the JPEG-LS reference
/// implementation GDCM itself calls). Used for the archive's hot path, one frame at a time on buffers we already
/// hold: through GDCM the same CharLS calls cost about 60% more CPU per CT slice, spent re-reading the file with GDCM's
/// parser and copying buffers between its layers. Hand-written P/Invoke because no CharLS binding is on the package
/// mirror; only the dozen calls used here are declared.
/// </summary>
internal static partial class CharLsCodec
{
    private const string Library = "libcharls.so.2";

    /// <summary>Whether libcharls can be loaded here (it is wherever GDCM is, which links to it).</summary>
    public static bool IsAvailable => Availability.Value;

    private static readonly Lazy<bool> Availability = new(() => NativeLibrary.TryLoad(Library, typeof(CharLsCodec).Assembly, null, out _));

    /// <summary>Encodes one greyscale frame losslessly.</summary>
    /// <param name="frame">The frame's samples: one byte each for 8 bits allocated, two (little endian) for 16.</param>
    /// <param name="columns">Width.</param>
    /// <param name="rows">Height.</param>
    /// <param name="bitsPerSample">Sample precision written into the stream: 8 for 8-bit samples, Bits Stored (9–16) for
    /// 16-bit ones, every sample below 2^bitsPerSample.</param>
    /// <returns>The JPEG-LS stream, padded to even length (a DICOM fragment).</returns>
    public static byte[] Encode(ReadOnlySpan<byte> frame, int columns, int rows, int bitsPerSample)
    {
        var encoder = charls_jpegls_encoder_create();
        if (encoder == IntPtr.Zero)
            throw new DicomCodecException("CharLS could not create an encoder.");
        try
        {
            var info = new FrameInfo { Width = (uint)columns, Height = (uint)rows, BitsPerSample = bitsPerSample, ComponentCount = 1 };
            Check(charls_jpegls_encoder_set_frame_info(encoder, in info), "set the frame");
            Check(charls_jpegls_encoder_get_estimated_destination_size(encoder, out var estimate), "size the output");
            // CharLS's estimate is the raw size plus headers, which pure noise can exceed (JPEG-LS expands it slightly):
            // the work buffer has room for twice the raw frame.
            var capacity = checked((int)Math.Max(estimate, (nuint)frame.Length * 2 + 4096));
            var work = ArrayPool<byte>.Shared.Rent(capacity);
            try
            {
                unsafe
                {
                    // CharLS keeps the destination pointer between these two calls: both run inside one fixed block.
                    fixed (byte* destination = work)
                    fixed (byte* source = frame)
                    {
                        Check(charls_jpegls_encoder_set_destination_buffer(encoder, destination, (nuint)capacity), "set the output");
                        Check(charls_jpegls_encoder_encode_from_buffer(encoder, source, (nuint)frame.Length, 0), "encode");
                    }
                }
                Check(charls_jpegls_encoder_get_bytes_written(encoder, out var written), "count the output");
                var length = (int)written;
                var output = new byte[length + (length & 1)]; // the pad byte is zero; JPEG-LS decoders stop at EOI
                work.AsSpan(0, length).CopyTo(output);
                return output;
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(work);
            }
        }
        finally
        {
            charls_jpegls_encoder_destroy(encoder);
        }
    }

    /// <summary>
    /// Decodes one greyscale frame into <paramref name="destination"/>, which must be exactly the frame's size; the
    /// stream's own header must describe the image the DICOM header declares, or nothing is decoded. Returns false,
    /// having decoded nothing, for a stream of 8 bits or fewer in 16-bit samples: CharLS writes those a byte each, and
    /// widening them is left to GDCM.
    /// </summary>
    public static bool Decode(ReadOnlySpan<byte> stream, Span<byte> destination, int columns, int rows, int bitsAllocated)
    {
        var decoder = charls_jpegls_decoder_create();
        if (decoder == IntPtr.Zero)
            throw new DicomCodecException("CharLS could not create a decoder.");
        try
        {
            unsafe
            {
                // CharLS keeps the source pointer from set_source_buffer to the decode: all of it inside one fixed block.
                fixed (byte* source = stream)
                fixed (byte* target = destination)
                {
                    Check(charls_jpegls_decoder_set_source_buffer(decoder, source, (nuint)stream.Length), "read the stream");
                    Check(charls_jpegls_decoder_read_header(decoder), "read the JPEG-LS header");
                    Check(charls_jpegls_decoder_get_frame_info(decoder, out var info), "read the frame header");
                    if (info.BitsPerSample <= 8 && bitsAllocated == 16)
                        return false;
                    if (info.Width != columns || info.Height != rows || info.ComponentCount != 1 || info.BitsPerSample < 2 || info.BitsPerSample > bitsAllocated)
                    {
                        throw new DicomCodecException(string.Create(CultureInfo.InvariantCulture,
                            $"the JPEG-LS frame is {info.Width} × {info.Height} with {info.ComponentCount} component(s) of {info.BitsPerSample} bits, not the {columns} × {rows} greyscale of at most {bitsAllocated} bits the header declares."));
                    }
                    Check(charls_jpegls_decoder_get_destination_size(decoder, 0, out var size), "size the frame");
                    if (size != (nuint)destination.Length)
                        throw new DicomCodecException(string.Create(CultureInfo.InvariantCulture, $"the JPEG-LS frame decodes to {size} bytes, not the {destination.Length} the header declares."));
                    Check(charls_jpegls_decoder_decode_to_buffer(decoder, target, (nuint)destination.Length, 0), "decode");
                }
            }
            return true;
        }
        finally
        {
            charls_jpegls_decoder_destroy(decoder);
        }
    }

    private static void Check(int error, string step)
    {
        if (error != 0)
            throw new DicomCodecException(string.Create(CultureInfo.InvariantCulture, $"CharLS could not {step} (error {error}): the JPEG-LS pixel data is corrupt or not supported."));
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct FrameInfo
    {
        public uint Width;
        public uint Height;
        public int BitsPerSample;
        public int ComponentCount;
    }

    [LibraryImport(Library)]
    private static partial IntPtr charls_jpegls_encoder_create();

    [LibraryImport(Library)]
    private static partial void charls_jpegls_encoder_destroy(IntPtr encoder);

    [LibraryImport(Library)]
    private static partial int charls_jpegls_encoder_set_frame_info(IntPtr encoder, in FrameInfo frameInfo);

    [LibraryImport(Library)]
    private static partial int charls_jpegls_encoder_get_estimated_destination_size(IntPtr encoder, out nuint size);

    [LibraryImport(Library)]
    private static unsafe partial int charls_jpegls_encoder_set_destination_buffer(IntPtr encoder, byte* destination, nuint size);

    [LibraryImport(Library)]
    private static unsafe partial int charls_jpegls_encoder_encode_from_buffer(IntPtr encoder, byte* source, nuint size, uint stride);

    [LibraryImport(Library)]
    private static partial int charls_jpegls_encoder_get_bytes_written(IntPtr encoder, out nuint written);

    [LibraryImport(Library)]
    private static partial IntPtr charls_jpegls_decoder_create();

    [LibraryImport(Library)]
    private static partial void charls_jpegls_decoder_destroy(IntPtr decoder);

    [LibraryImport(Library)]
    private static unsafe partial int charls_jpegls_decoder_set_source_buffer(IntPtr decoder, byte* source, nuint size);

    [LibraryImport(Library)]
    private static partial int charls_jpegls_decoder_read_header(IntPtr decoder);

    [LibraryImport(Library)]
    private static partial int charls_jpegls_decoder_get_frame_info(IntPtr decoder, out FrameInfo frameInfo);

    [LibraryImport(Library)]
    private static partial int charls_jpegls_decoder_get_destination_size(IntPtr decoder, uint stride, out nuint size);

    [LibraryImport(Library)]
    private static unsafe partial int charls_jpegls_decoder_decode_to_buffer(IntPtr decoder, byte* destination, nuint size, uint stride);
}
