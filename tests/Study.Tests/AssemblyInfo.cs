using Xunit;

// Training tests share torch's process-wide thread pool and the machine's two cores; running them one at a time
// keeps each test's timing-independent assertions meaningful and the whole run predictable.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
