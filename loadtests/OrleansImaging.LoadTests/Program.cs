using OrleansImaging.LoadTests.Blobs;
using OrleansImaging.LoadTests.Dicom;
using OrleansImaging.LoadTests.Index;

// ./imaging bench <name>: each benchmark prints its own table to stdout.
return args.FirstOrDefault() switch
{
    "dicom" => await DicomBenchmark.RunAsync(args.Skip(1).ToArray()),
    "blobs" => await BlobBenchmark.RunAsync(args.Skip(1).ToArray()),
    "index" => await IndexBenchmark.RunAsync(args.Skip(1).ToArray()),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: OrleansImaging.LoadTests dicom|blobs|index [--quick]");
    return 2;
}
