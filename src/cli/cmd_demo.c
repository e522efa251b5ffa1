/* cmd_demo.c — placeholder until the demo command lands. Layer: CLI. */
#include "cli.h"
const pl_command pl_demo_commands[] = {{0}};
