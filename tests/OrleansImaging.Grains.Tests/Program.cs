using OrleansImaging.Grains.Storage;
using OrleansImaging.Grains.Tests.Storage;

namespace OrleansImaging.Grains.Tests;

/// <summary>
/// The test assembly's own entry point (the test host never calls it): the kill-durability tests run
/// <c>dotnet OrleansImaging.Grains.Tests.dll put|stall ROOT KEY BYTES</c> as a child process and SIGKILL it
/// once it reports, so what they then find on disk is what a killed process leaves.
/// </summary>
public static class ChildProcess
{
    public const int Seed = 4242;

    public static async Task<int> Main(string[] args)
    {
        if (args.Length != 4 || args[0] is not ("put" or "stall"))
        {
            await Console.Error.WriteLineAsync("usage: OrleansImaging.Grains.Tests put|stall ROOT KEY BYTES (a helper for the kill-durability tests)");
            return 2;
        }
        var store = new FileSystemBlobStore(new FileSystemBlobStoreOptions { RootPath = args[1] });
        var data = TestData.Bytes(int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture), Seed);
        if (args[0] == "put")
        {
            var result = await store.PutAsync(args[2], new MemoryStream(data));
            Console.WriteLine($"put-returned {result.Sha256}");
        }
        else
        {
            // Hand over the first half of the body, then stall inside the put, to be killed there.
            var body = new TrickleStream(data, maxRead: 64 * 1024, stallAfter: data.Length / 2);
            _ = store.PutAsync(args[2], body);
            await body.Stalled;
            Console.WriteLine("stalled");
        }
        await Console.Out.FlushAsync();
        await Console.In.ReadLineAsync(); // wait to be killed
        return 0;
    }
}
