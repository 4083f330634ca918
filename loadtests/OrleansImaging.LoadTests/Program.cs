using OrleansImaging.LoadTests.Blobs;
using OrleansImaging.LoadTests.Codecs;
using OrleansImaging.LoadTests.Dicom;
using OrleansImaging.LoadTests.Index;
using OrleansImaging.LoadTests.Ingest;

// ./imaging bench <name>: each benchmark prints its own table to stdout.
return args.FirstOrDefault() switch
{
    "dicom" => await DicomBenchmark.RunAsync(args.Skip(1).ToArray()),
    "blobs" => await BlobBenchmark.RunAsync(args.Skip(1).ToArray()),
    "index" => await IndexBenchmark.RunAsync(args.Skip(1).ToArray()),
    "ingest" => await IngestBenchmark.RunAsync(args.Skip(1).ToArray()),
    "codecs" => await CodecBenchmark.RunAsync(args.Skip(1).ToArray()),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: OrleansImaging.LoadTests dicom|blobs|index|ingest|codecs [--quick]");
    return 2;
}
