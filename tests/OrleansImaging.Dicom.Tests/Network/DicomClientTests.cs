using System.Diagnostics;
using System.Net.Sockets;
using OrleansImaging.Dicom.Network;

namespace OrleansImaging.Dicom.Tests.Network;

/// <summary>Our requestor (SCU) against dcmtk's storescp and against our own acceptor.</summary>
public sealed class DicomClientTests
{
    private static readonly string[] CorpusFiles =
    [
        "CT_small.dcm", "MR_small_bigendian.dcm", "JPEG2000.dcm", "SC_rgb_rle.dcm", "JPGExtended.dcm",
        "test-SR.dcm", "SC_rgb_jpeg_dcmtk.dcm",
    ];

    private static string[] Paths => [.. CorpusFiles.Select(TestCorpus.TestFile)];

    [Fact]
    public async Task StoreFileAsync_ToDcmtkStorescp_DataSetsArriveByteForByte()
    {
        var folder = Directory.CreateTempSubdirectory("storescp-").FullName;
        var port = DcmtkTool.FreePort();
        // +xa: accept every transfer syntax dcmtk knows; +B: write the data set exactly as received.
        using var storescp = DcmtkTool.Start("storescp", ["-v", "-aet", "STORESCP", "+xa", "+B", "-od", folder, DcmtkTool.Text(port)]);
        var log = storescp.StandardOutput.ReadToEndAsync();
        var errors = storescp.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await WaitForPortAsync(port, storescp);
            var proposals = await DicomPresentationContextProposal.ForFilesAsync(Paths, CancellationToken.None);
            try
            {
                await using var association = await DicomClientAssociation.ConnectAsync("127.0.0.1", port, new DicomClientOptions { CalledAeTitle = "STORESCP" }, proposals, timeout.Token);
                Assert.Equal(DicomStatus.Success, (await association.EchoAsync(timeout.Token)).Status);
                foreach (var path in Paths)
                    Assert.Equal(DicomStatus.Success, (await association.StoreFileAsync(path, timeout.Token)).Status);
                await association.ReleaseAsync(timeout.Token);
            }
            catch (Exception ex) when (ex is DicomException or OperationCanceledException)
            {
                storescp.Kill();
                Assert.Fail($"{ex.Message}\n{await log}\n{await errors}");
            }

            var received = Directory.GetFiles(folder);
            Assert.Equal(Paths.Length, received.Length);
            foreach (var path in Paths)
            {
                var layout = await DicomPart10Layout.ReadAsync(path, CancellationToken.None);
                var copy = Assert.Single(received, f => Path.GetFileName(f).EndsWith(layout.SopInstanceUid, StringComparison.Ordinal));
                Assert.Equal(layout.TransferSyntax, (await DicomPart10Layout.ReadAsync(copy, CancellationToken.None)).TransferSyntax);
                Assert.Equal(await DcmtkTool.DataSetBytesAsync(path), await DcmtkTool.DataSetBytesAsync(copy));
            }
        }
        finally
        {
            if (!storescp.HasExited)
                storescp.Kill();
            await storescp.WaitForExitAsync();
            Directory.Delete(folder, recursive: true);
        }
    }

    [Theory]
    [InlineData(4096u)]
    [InlineData(0u)]
    public async Task StoreFileAsync_ToOurServer_FragmentsWithinBothMaximaAndArrivesByteForByte(uint maxPdu)
    {
        await using var server = new TestServer(log => new DicomServerOptions { AeTitle = "EDGE", Log = log, MaxPduLength = maxPdu });
        var proposals = await DicomPresentationContextProposal.ForFilesAsync(Paths, CancellationToken.None);

        await using (var association = await Connect(server, proposals, maxPdu))
        {
            Assert.Equal(CorpusFiles.Length + 1, association.AcceptedContexts.Count);
            foreach (var path in Paths)
            {
                var response = await association.StoreFileAsync(path, CancellationToken.None);
                Assert.True(response.IsSuccess, response.ErrorComment);
            }
            await association.ReleaseAsync(CancellationToken.None);
        }

        foreach (var path in Paths)
        {
            var layout = await DicomPart10Layout.ReadAsync(path, CancellationToken.None);
            var copy = server.Files.PathFor(layout.SopInstanceUid);
            var copyLayout = await DicomPart10Layout.ReadAsync(copy, CancellationToken.None);
            Assert.Equal((layout.SopClassUid, layout.TransferSyntax), (copyLayout.SopClassUid, copyLayout.TransferSyntax));
            Assert.Equal(await DcmtkTool.DataSetBytesAsync(path), await DcmtkTool.DataSetBytesAsync(copy));
            // The meta group we write is one dcmtk reads, naming the calling AE as the source.
            var dump = await DcmtkTool.RunAsync("dcmdump", ["-M", "+P", "0002,0016", "+P", "0002,0013", copy]);
            Assert.Contains("[TESTSCU]", dump.Output, StringComparison.Ordinal);
            Assert.Contains("[ORLEANSIMG_01]", dump.Output, StringComparison.Ordinal);
        }
        await server.WaitIdleAsync();
        Assert.Contains(server.Log, l => l.Contains($"peer maximum PDU {maxPdu}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task StoreAsync_DataSetUidDiffersFromCommand_CannotUnderstandAndAssociationGoesOn()
    {
        await using var server = new TestServer();
        var path = TestCorpus.TestFile("CT_small.dcm");
        var layout = await DicomPart10Layout.ReadAsync(path, CancellationToken.None);
        var proposals = await DicomPresentationContextProposal.ForFilesAsync([path], CancellationToken.None);
        var dataset = await DcmtkTool.DataSetBytesAsync(path);

        await using var association = await Connect(server, proposals);
        var wrongInstance = await association.StoreAsync(layout.SopClassUid, "1.2.3.4.5.6", layout.TransferSyntax.Uid, new MemoryStream(dataset), CancellationToken.None);
        var stored = await association.StoreFileAsync(path, CancellationToken.None);
        await association.ReleaseAsync(CancellationToken.None);

        Assert.Equal(DicomStatus.CannotUnderstand, wrongInstance.Status);
        Assert.Equal("Data set SOP Instance UID differs from the command's.", wrongInstance.ErrorComment);
        Assert.False(File.Exists(server.Files.PathFor("1.2.3.4.5.6")));
        Assert.Equal(DicomStatus.Success, stored.Status);
        Assert.True(File.Exists(server.Files.PathFor(layout.SopInstanceUid)));
        Assert.Single(Directory.GetFiles(server.Folder));
    }

    [Fact]
    public async Task StoreAsync_DataSetSopClassDiffersFromCommand_DataSetDoesNotMatchSopClass()
    {
        await using var server = new TestServer();
        var path = TestCorpus.TestFile("CT_small.dcm");
        var layout = await DicomPart10Layout.ReadAsync(path, CancellationToken.None);
        const string mr = "1.2.840.10008.5.1.4.1.1.4";
        await using var association = await Connect(server, [new DicomPresentationContextProposal(mr, [layout.TransferSyntax.Uid])]);

        var response = await association.StoreAsync(mr, layout.SopInstanceUid, layout.TransferSyntax.Uid, new MemoryStream(await DcmtkTool.DataSetBytesAsync(path)), CancellationToken.None);

        Assert.Equal(DicomStatus.DataSetDoesNotMatchSopClass, response.Status);
        Assert.Empty(Directory.GetFiles(server.Folder));
    }

    [Fact]
    public async Task ConnectAsync_NoAcceptableContext_AcceptedWithEveryContextRejected()
    {
        await using var server = new TestServer();

        await using var association = await Connect(server,
        [
            new DicomPresentationContextProposal("1.2.840.10008.5.1.4.1.1.481.5", [DicomTransferSyntax.ExplicitVRLittleEndian.Uid]), // RT Plan: not offered
            new DicomPresentationContextProposal("1.2.840.10008.5.1.4.1.1.2", [DicomTransferSyntax.Mpeg2.Uid]),
        ]);

        Assert.Empty(association.AcceptedContexts);
        Assert.Equal(
            [DicomPresentationContextResult.AbstractSyntaxNotSupported, DicomPresentationContextResult.TransferSyntaxesNotSupported],
            association.Accept!.PresentationContexts.Select(pc => pc.Result));
        await Assert.ThrowsAsync<DicomException>(() => association.EchoAsync(CancellationToken.None));
        await association.ReleaseAsync(CancellationToken.None);
    }

    [Fact]
    public async Task ConnectAsync_WrongCalledAe_ThrowsWithTheReject()
    {
        await using var server = new TestServer();

        var error = await Assert.ThrowsAsync<DicomNetworkException>(() => DicomClientAssociation.ConnectAsync(
            "127.0.0.1", server.Port, new DicomClientOptions { CallingAeTitle = "TESTSCU", CalledAeTitle = "ELSEWHERE" },
            [new DicomPresentationContextProposal(DicomStorageSopClasses.Verification, [DicomTransferSyntax.ImplicitVRLittleEndian.Uid])], CancellationToken.None));

        Assert.Equal(new DicomAssociateReject(1, 1, 7), error.Reject);
    }

    internal static Task<DicomClientAssociation> Connect(TestServer server, IReadOnlyList<DicomPresentationContextProposal> proposals, uint maxPdu = 64 * 1024) =>
        DicomClientAssociation.ConnectAsync("127.0.0.1", server.Port, new DicomClientOptions { CallingAeTitle = "TESTSCU", CalledAeTitle = "EDGE", MaxPduLength = maxPdu }, proposals, CancellationToken.None);

    private static async Task WaitForPortAsync(int port, Process process)
    {
        var until = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            Assert.False(process.HasExited, "storescp exited.");
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync("127.0.0.1", port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < until)
            {
                await Task.Delay(50);
            }
        }
    }
}
