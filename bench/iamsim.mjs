// The explain benchmark's yardstick: runs every Simulation of a file
// through @cloud-copilot/iam-simulate in this one Node process, and
// prints the time of the batch (module loading and file reading left
// out), the count of each decision and the decisions in order, as JSON.
//   node bench/iamsim.mjs simulations.json
import { readFileSync } from 'node:fs'
import { runSimulation } from '@cloud-copilot/iam-simulate'

const simulations = JSON.parse(readFileSync(process.argv[2], 'utf8'))
const decisions = {}
const order = []
const start = process.hrtime.bigint()
for (const simulation of simulations) {
  const response = await runSimulation(simulation, {})
  const decision = response.resultType === 'error' ? 'error: ' + JSON.stringify(response.errors).slice(0, 200) : response.overallResult
  decisions[decision] = (decisions[decision] || 0) + 1
  order.push(decision)
}
const seconds = Number(process.hrtime.bigint() - start) / 1e9
console.log(JSON.stringify({ scenarios: simulations.length, seconds, decisions, order }))
