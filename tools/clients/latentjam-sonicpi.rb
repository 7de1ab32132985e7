# latentjam from Sonic Pi (3.2 or later): paste into a buffer and press Run.
# Untested here: Sonic Pi needs its GUI and an audio server, so no test runs it (docs/surfaces.md).
#
# Sonic Pi sends OSC from a port of its own and hears incoming OSC as cues on port 4560, so this
# asks latentjam to send its replies there (/jam/subscribe with that port as an integer), then
# waits for them with sync. Every reply is `/done ADDRESS ...` or `/fail ADDRESS REASON`.

use_osc "127.0.0.1", 9000                  # where latentjam listens
osc "/jam/subscribe", 4560                 # replies and state changes to Sonic Pi's cue port
sync "/osc*/done"                          # its /done, after the state dump

osc "/jam/random", "kick"                  # a new kick
done = sync "/osc*/done"                   # => ["/jam/random", SOUND_ID]
puts "latentjam reply: #{done}"

osc "/jam/label", "boomy deep", "kick"     # label it (a new example)
puts "latentjam reply: #{sync "/osc*/done"}"

osc "/jam/prompt", "boomy", "kick"         # jump to where "boomy" is
puts "latentjam reply: #{sync "/osc*/done"}"

osc "/jam/examples", "kick"                # the list: kick, then id and text per example
puts "latentjam examples: #{sync "/osc*/jam/examples.reply"}"

# Play it: /jam/trigger VOICE VELOCITY (a float, 0..1) on the beat.
live_loop :latentjam do
  osc "/jam/trigger", "kick", 1.0
  sleep 0.5
  osc "/jam/trigger", "kick", 0.6
  sleep 0.5
end

# The label shown on a surface comes as a cue too:
# live_loop :label_text do
#   puts "label: #{sync "/osc*/jam/label/text"}"
# end
