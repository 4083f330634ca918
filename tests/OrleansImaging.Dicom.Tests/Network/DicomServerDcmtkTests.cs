using OrleansImaging.Dicom.Network;

namespace OrleansImaging.Dicom.Tests.Network;

/// <summary>dcmtk's echoscu and storescu against our acceptor on a loopback port.</summary>
public sealed class DicomServerDcmtkTests
{
    /// <summary>
    /// Groups of files with distinct SOP Instance UIDs, each with the storescu flag that proposes its compressed
    /// transfer syntax (storescu never proposes a file's own syntax unasked): CT, MR, SC and SR; explicit and
    /// implicit VR LE, JPEG baseline and extended, JPEG 2000, RLE.
    /// </summary>
    internal static readonly (string Flag, string[] Files)[] ParallelGroups =
    [
        ("-xw", ["JPEG2000.dcm", "CT_small.dcm"]),
        ("-xx", ["JPGExtended.dcm", "MR_small_implicit.dcm"]),
        ("-xy", ["SC_rgb_jpeg_dcmtk.dcm", "SC_rgb_dcmtk_+eb+cy+n1.dcm"]),
        ("-xr", ["SC_rgb_rle.dcm", "test-SR.dcm"]),
    ];

    [Fact]
    public async Task Echoscu_RightCalledAe_Succeeds()
    {
        await using var server = new TestServer();

        var echo = await DcmtkTool.RunAsync("echoscu", ["-v", "-aet", "TESTSCU", "-aec", "EDGE", "127.0.0.1", server.PortText]);

        Assert.True(echo.ExitCode == 0, echo.Output);
        Assert.Contains("Received Echo Response (Success)", echo.Output, StringComparison.Ordinal);
        await server.WaitIdleAsync();
        Assert.Contains(server.Log, l => l.Contains("127.0.0.1", StringComparison.Ordinal) && l.Contains("released", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Echoscu_WrongCalledAe_RejectedCalledAeNotRecognized()
    {
        await using var server = new TestServer();

        var echo = await DcmtkTool.RunAsync("echoscu", ["-aet", "TESTSCU", "-aec", "NOT-EDGE", "127.0.0.1", server.PortText]);

        Assert.NotEqual(0, echo.ExitCode);
        Assert.Contains("Association Rejected", echo.Output, StringComparison.Ordinal);
        Assert.Contains("Called AE Title Not Recognized", echo.Output, StringComparison.Ordinal);
        await server.AssertEchoWorksAsync();
    }

    [Fact]
    public async Task Echoscu_CallingAeNotAllowed_RejectedCallingAeNotRecognized()
    {
        await using var server = new TestServer(log => new DicomServerOptions
        {
            AeTitle = "EDGE",
            Log = log,
            IsCallingAeAllowed = peer => peer.CallingAeTitle == "TESTSCU",
        });

        var echo = await DcmtkTool.RunAsync("echoscu", ["-aet", "INTRUDER", "-aec", "EDGE", "127.0.0.1", server.PortText]);

        Assert.NotEqual(0, echo.ExitCode);
        Assert.Contains("Calling AE Title Not Recognized", echo.Output, StringComparison.Ordinal);
        Assert.Contains(server.Log, l => l.Contains("'INTRUDER'", StringComparison.Ordinal) && l.Contains("rejected (result 1, source 1, reason 3)", StringComparison.Ordinal));
        await server.AssertEchoWorksAsync();
    }

    [Theory]
    [InlineData(64 * 1024)]
    [InlineData(4096)]
    public async Task Storescu_SeveralFilesOneAssociation_DataSetsArriveEqual(int maxPdu)
    {
        await using var server = new TestServer(log => new DicomServerOptions { AeTitle = "EDGE", Log = log, MaxPduLength = (uint)maxPdu });
        string[] paths = [.. new[] { "CT_small.dcm", "MR_small_jpeg_ls_lossless.dcm", "test-SR.dcm" }.Select(TestCorpus.TestFile)];

        // -R proposes only the SOP classes of the files; -xt adds JPEG-LS lossless to the uncompressed syntaxes;
        // --max-pdu is what storescu accepts from us (we send within it), MaxPduLength what we accept from it.
        var store = await DcmtkTool.RunAsync("storescu", ["-R", "-xt", "--max-pdu", DcmtkTool.Text(maxPdu), "-aet", "TESTSCU", "-aec", "EDGE", "127.0.0.1", server.PortText, .. paths]);

        Assert.True(store.ExitCode == 0, store.Output);
        Assert.Single(server.Log, l => l.Contains("accepted", StringComparison.Ordinal) && l.EndsWith($"peer maximum PDU {maxPdu}.", StringComparison.Ordinal));
        foreach (var path in paths)
            await AssertReceivedAsync(server, path);
        Assert.Equal(3, Directory.GetFiles(server.Folder, "*.dcm").Length);
        Assert.Empty(Directory.GetFiles(server.Folder, "*.part"));
    }

    [Fact]
    public async Task Storescu_FourParallelAssociations_EveryFileArrives()
    {
        await using var server = new TestServer();
        var runs = await Task.WhenAll(ParallelGroups.Select(group =>
            DcmtkTool.RunAsync("storescu", ["-R", group.Flag, "-aet", "TESTSCU", "-aec", "EDGE", "127.0.0.1", server.PortText, .. group.Files.Select(TestCorpus.TestFile)])));

        Assert.All(runs, run => Assert.True(run.ExitCode == 0, run.Output));
        Assert.Equal(4, server.Log.Count(l => l.Contains("accepted", StringComparison.Ordinal)));
        foreach (var file in ParallelGroups.SelectMany(g => g.Files))
            await AssertReceivedAsync(server, TestCorpus.TestFile(file));
        Assert.Equal(8, Directory.GetFiles(server.Folder, "*.dcm").Length);
    }

    [Fact]
    public async Task Storescu_OnlyARejectedTransferSyntax_ContextRejectedAndStorescuFails()
    {
        await using var server = new TestServer();

        // -R: propose only what the files need; -xm: MPEG2 only, which we do not accept.
        var store = await DcmtkTool.RunAsync("storescu", ["-v", "+v", "-R", "-xm", "-aet", "TESTSCU", "-aec", "EDGE", "127.0.0.1", server.PortText, TestCorpus.TestFile("CT_small.dcm")]);

        Assert.NotEqual(0, store.ExitCode);
        Assert.True(store.Output.Contains("Transfer Syntaxes Not Supported", StringComparison.Ordinal), store.Output);
        Assert.Contains("No Acceptable Presentation Contexts", store.Output, StringComparison.Ordinal);
        Assert.Contains(server.Log, l => l.Contains("accepted: 0 of 1 presentation contexts", StringComparison.Ordinal));
        Assert.Empty(Directory.GetFiles(server.Folder));
        await server.AssertEchoWorksAsync();
    }

    /// <summary>storescu may re-encode what it read, so the received copy is compared as dcmtk dumps it, and by bytes when they match.</summary>
    internal static async Task AssertReceivedAsync(TestServer server, string original)
    {
        var layout = await DicomPart10Layout.ReadAsync(original, CancellationToken.None);
        var received = server.Files.PathFor(layout.SopInstanceUid);
        Assert.True(File.Exists(received), $"{Path.GetFileName(original)} did not arrive.");
        var receivedLayout = await DicomPart10Layout.ReadAsync(received, CancellationToken.None);
        Assert.Equal(layout.SopClassUid, receivedLayout.SopClassUid);
        // storescu converts between the uncompressed syntaxes as negotiated, never to or from a compressed one.
        if (layout.TransferSyntax.IsEncapsulated)
            Assert.Equal(layout.TransferSyntax, receivedLayout.TransferSyntax);
        else
            Assert.False(receivedLayout.TransferSyntax.IsEncapsulated);
        Assert.Equal(await DcmtkTool.DumpDataSetAsync(original), await DcmtkTool.DumpDataSetAsync(received));
    }
}
