using Cerebro.TaskServers;
using Microsoft.Extensions.Hosting;
using TaskServerA;

var builder = Host.CreateApplicationBuilder(args);
builder.AddDemoAgent(TaskServerATasks.AgentName).AddTaskServerATasks();
builder.Build().Run();
