using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using OrleansImaging.Api.Tests.Peers;
using OrleansImaging.Contracts.Callers;
using OrleansImaging.Dicom;
using Xunit.Abstractions;

namespace OrleansImaging.Api.Tests.Durability;

/// <summary>
/// A 2 GB STOW-RS request (one multi-frame instance of 1,000 frames of 1024×1024×16 bits) goes in and comes back out
/// through the api as <c>./imaging start</c> runs it, with the server's peak memory bounded far below the body: the
/// part is streamed to storage, never buffered, and WADO-RS streams it back the same way.
/// </summary>
public sealed class LargeStowTests(ITestOutputHelper output) : IDisposable
{
    private const int Frames = 1000;
    private const int FrameBytes = 1024 * 1024 * 2;
    private const long PixelBytes = (long)Frames * FrameBytes; // 2,097,152,000
    private const long AllowedGrowth = 256L * 1024 * 1024;
    private const string Boundary = "large-stow-boundary";
    private readonly string _data = Directory.CreateTempSubdirectory("imaging-large-").FullName;

    [Fact]
    public async Task Store_TwoGigabyteInstance_StoredAndRetrievedByteIdenticalWithBoundedServerMemory_S9_13()
    {
        await using var api = await ApiProcess.StartAsync(_data);
        var token = await api.CreateTenantAndTokenAsync("large", Scopes.DicomwebRead, Scopes.DicomwebWrite);
        using var http = api.CreateClient(token);
        http.Timeout = TimeSpan.FromMinutes(15);
        var (study, series, sop, header) = Header();
        var peakBefore = PeakResidentBytes(api.ProcessId);

        var content = new GeneratedPartContent(header);
        using var response = await http.PostAsync("dicomweb/studies", content);
        var peakAfterStore = PeakResidentBytes(api.ProcessId);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var sent = content.Sha256 ?? throw new InvalidOperationException("The body was not sent.");
        using var retrieve = new HttpRequestMessage(HttpMethod.Get, $"dicomweb/studies/{study}/series/{series}/instances/{sop}");
        retrieve.Headers.Accept.ParseAdd(DicomwebTestClient.AcceptAsStored);
        using var retrieved = await http.SendAsync(retrieve, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, retrieved.StatusCode);
        var (length, hash) = await HashSinglePartAsync(retrieved.Content);
        var peakAfterRetrieve = PeakResidentBytes(api.ProcessId);

        output.WriteLine($"server peak RSS: {peakBefore >> 20} MiB before, {peakAfterStore >> 20} MiB after storing, {peakAfterRetrieve >> 20} MiB after retrieving {length:N0} bytes");
        Assert.Equal(content.ObjectLength, length);
        Assert.Equal(Convert.ToHexStringLower(sent), Convert.ToHexStringLower(hash));
        Assert.True(peakAfterRetrieve - peakBefore < AllowedGrowth,
            $"the server's peak memory grew by {(peakAfterRetrieve - peakBefore) >> 20} MiB for a {content.ObjectLength >> 20} MiB object");
    }

    public void Dispose()
    {
        if (Directory.Exists(_data))
            Directory.Delete(_data, recursive: true);
    }

    /// <summary>The Part 10 bytes of the instance up to and including the Pixel Data element header.</summary>
    private static (string Study, string Series, string Sop, byte[] Header) Header()
    {
        var template = SyntheticCt.Instance(SyntheticCt.NewUid(), SyntheticCt.NewUid(), 1, "LARGE^STOW", size: 2);
        var file = DicomFile.Parse(template.Bytes);
        var dataset = file.Dataset;
        dataset.Remove(DicomTag.PixelData);
        dataset.AddOrUpdate(DicomTag.SOPClassUID, "1.2.840.10008.5.1.4.1.1.7.3") // Multi-frame Grayscale Word SC
            .AddOrUpdate(DicomTag.Rows, (ushort)1024)
            .AddOrUpdate(DicomTag.Columns, (ushort)1024)
            .AddOrUpdate(DicomTag.NumberOfFrames, Frames.ToString(CultureInfo.InvariantCulture));
        using var stream = new MemoryStream();
        new DicomFile(new DicomDataset(), dataset, DicomTransferSyntax.ExplicitVRLittleEndian).Save(stream);
        // (7FE0,0010) OW, two reserved bytes, 32-bit length: the value follows as the generated pixels.
        stream.Write([0xE0, 0x7F, 0x10, 0x00, (byte)'O', (byte)'W', 0, 0]);
        stream.Write(BitConverter.GetBytes((uint)PixelBytes));
        return (template.StudyInstanceUid, template.SeriesInstanceUid, template.SopInstanceUid, stream.ToArray());
    }

    private static long PeakResidentBytes(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
    }

    /// <summary>Reads a one-part multipart/related body as a stream, hashing the part's bytes without holding them.</summary>
    private static async Task<(long Length, byte[] Hash)> HashSinglePartAsync(HttpContent content)
    {
        var boundary = content.Headers.ContentType?.Parameters.First(p => p.Name == "boundary").Value!.Trim('"');
        var reader = new Microsoft.AspNetCore.WebUtilities.MultipartReader(boundary!, await content.ReadAsStreamAsync());
        var part = await reader.ReadNextSectionAsync() ?? throw new InvalidOperationException("The response has no part.");
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1024 * 1024];
        long length = 0;
        int read;
        while ((read = await part.Body.ReadAsync(buffer)) > 0)
        {
            hash.AppendData(buffer, 0, read);
            length += read;
        }
        Assert.Null(await reader.ReadNextSectionAsync());
        return (length, hash.GetHashAndReset());
    }

    /// <summary>
    /// A multipart/related body of one application/dicom part: the header, then <see cref="PixelBytes"/> generated bytes,
    /// written as they are sent and hashed on the way, never held.
    /// </summary>
    private sealed class GeneratedPartContent : HttpContent
    {
        private readonly byte[] _header;
        private readonly byte[] _opening = Encoding.ASCII.GetBytes($"--{Boundary}\r\nContent-Type: application/dicom\r\n\r\n");
        private readonly byte[] _closing = Encoding.ASCII.GetBytes($"\r\n--{Boundary}--\r\n");

        public GeneratedPartContent(byte[] header)
        {
            _header = header;
            Headers.TryAddWithoutValidation("Content-Type", $"multipart/related; type=\"application/dicom\"; boundary={Boundary}");
        }

        public long ObjectLength => _header.Length + PixelBytes;

        public byte[]? Sha256 { get; private set; }

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var block = new byte[1024 * 1024];
            new Random(20261125).NextBytes(block);
            await stream.WriteAsync(_opening);
            await stream.WriteAsync(_header);
            hash.AppendData(_header);
            for (long sent = 0; sent < PixelBytes; sent += block.Length)
            {
                block[0]++; // blocks differ, so a repeated or dropped block cannot hash equal
                var count = (int)Math.Min(block.Length, PixelBytes - sent);
                await stream.WriteAsync(block.AsMemory(0, count));
                hash.AppendData(block, 0, count);
            }
            await stream.WriteAsync(_closing);
            Sha256 = hash.GetHashAndReset();
        }

        protected override bool TryComputeLength(out long length)
        {
            length = _opening.Length + ObjectLength + _closing.Length;
            return true;
        }
    }
}
