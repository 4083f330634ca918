using System.Buffers;
using System.ComponentModel;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using OrleansImaging.Dicom.Network;

namespace OrleansImaging.Dicom.Tests.Network;

/// <summary>
/// Reads the A-ASSOCIATE-RQ that dcmtk's echoscu really sends: a listener on a free loopback port takes its
/// first PDU, then closes the connection (echoscu then gives up) and ends echoscu if it is still running.
/// dcmtk is a prerequisite of these tests, as for the dcmdump comparisons.
/// </summary>
public sealed class EchoscuCaptureTests
{
    [Fact]
    public async Task Echoscu_AssociateRequest_IsReadByOurReader()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var start = new ProcessStartInfo("echoscu")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "-aet", "TESTSCU", "-aec", "EDGE", "-to", "10", "127.0.0.1", port.ToString(System.Globalization.CultureInfo.InvariantCulture) })
            start.ArgumentList.Add(argument);
        Process echoscu;
        try
        {
            echoscu = Process.Start(start) ?? throw new InvalidOperationException("echoscu did not start.");
        }
        catch (Win32Exception ex)
        {
            Assert.Fail($"'echoscu' could not be run ({ex.Message}). Install it: apt-get install dcmtk.");
            throw;
        }
        using (echoscu)
        {
            var stdout = echoscu.StandardOutput.ReadToEndAsync();
            var stderr = echoscu.StandardError.ReadToEndAsync();
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                DicomPdu pdu;
                using (var socket = await listener.AcceptSocketAsync(timeout.Token))
                {
                    pdu = await ReadFirstPduAsync(socket, timeout.Token);
                }

                var rq = Assert.IsType<DicomAssociateRequest>(pdu);
                Assert.Equal("TESTSCU", rq.CallingAeTitle);
                Assert.Equal("EDGE", rq.CalledAeTitle);
                Assert.Equal(DicomAssociatePdu.DicomApplicationContext, rq.ApplicationContext);
                var verification = Assert.Single(rq.PresentationContexts, pc => pc.AbstractSyntax == "1.2.840.10008.1.1");
                Assert.Equal(1, verification.Id % 2);
                Assert.Contains("1.2.840.10008.1.2", verification.TransferSyntaxes);
                Assert.NotNull(rq.UserInformation.MaximumLength);
                Assert.False(string.IsNullOrEmpty(rq.UserInformation.ImplementationClassUid));
            }
            finally
            {
                if (!echoscu.HasExited)
                    echoscu.Kill();
                await echoscu.WaitForExitAsync();
                await Task.WhenAll(stdout, stderr);
            }
        }
    }

    private static async Task<DicomPdu> ReadFirstPduAsync(Socket socket, CancellationToken cancel)
    {
        var received = new ArrayBufferWriter<byte>();
        while (true)
        {
            if (DicomPduReader.TryRead(received.WrittenSpan, 1 << 20, out var pdu, out int _))
                return pdu;
            var n = await socket.ReceiveAsync(received.GetMemory(4096), SocketFlags.None, cancel);
            Assert.True(n > 0, "echoscu closed the connection before a whole PDU arrived.");
            received.Advance(n);
        }
    }
}
